//go:build amd64 && !purego

// AVX2 kernels of the slice loops of QGateGrad and AtanGrad (see
// qgateGradSlice and atanGradSlice for what they compute and
// kernels_amd64.go for their signatures). Every lane runs the operations
// of the Go loop in its order, each rounded to float32 on its own
// (VADDPS, VMULPS and VDIVPS round as the scalar float32 operations do,
// and no multiply-add is fused), so both give the same bits.

#include "textflag.h"

// func qgateGradAVX2(dst, grad, x *float32, n int, c *qgateConst)
//
// dst = g * (|x| > w ? +0 : a2*|x| + alpha), with qgateConst's alpha, w
// and a2 at byte offsets 0, 4 and 8.
TEXT ·qgateGradAVX2(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ grad+8(FP), SI
	MOVQ x+16(FP), DX
	MOVQ n+24(FP), CX
	MOVQ c+32(FP), AX
	SHLQ $2, CX
	XORQ BX, BX
	VBROADCASTSS 0(AX), Y15 // alpha
	VBROADCASTSS 4(AX), Y14 // w
	VBROADCASTSS 8(AX), Y13 // a2
	MOVL         $0x7fffffff, R8
	VMOVD        R8, X12
	VPBROADCASTD X12, Y12   // all bits but the sign
	TESTQ CX, CX
	JLE   qdone

qloop:
	VANDPS  (DX)(BX*1), Y12, Y0 // a = |x|
	VMULPS  Y13, Y0, Y1         // a2*a
	VADDPS  Y15, Y1, Y1         // a2*a + alpha
	VCMPPS  $0x1e, Y14, Y0, Y2  // a > w (false for NaN)
	VANDNPS Y1, Y2, Y1          // +0 where a > w
	VMULPS  (SI)(BX*1), Y1, Y1  // g * ...
	VMOVUPS Y1, (DI)(BX*1)
	ADDQ    $32, BX
	CMPQ    BX, CX
	JLT     qloop

qdone:
	VZEROUPPER
	RET

// func atanGradAVX2(dst, grad, x *float32, n int, c *atanConst)
//
// dst = half * (g / (1 + (c*x)*(c*x))), with atanConst's half and c at
// byte offsets 0 and 4.
TEXT ·atanGradAVX2(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ grad+8(FP), SI
	MOVQ x+16(FP), DX
	MOVQ n+24(FP), CX
	MOVQ c+32(FP), AX
	SHLQ $2, CX
	XORQ BX, BX
	VBROADCASTSS 0(AX), Y15 // half
	VBROADCASTSS 4(AX), Y14 // c
	MOVL         $0x3f800000, R8
	VMOVD        R8, X13
	VPBROADCASTD X13, Y13   // 1
	TESTQ CX, CX
	JLE   adone

aloop:
	VMULPS  (DX)(BX*1), Y14, Y0 // u = c*x
	VMULPS  Y0, Y0, Y0          // u*u
	VADDPS  Y13, Y0, Y0         // 1 + u*u
	VMOVUPS (SI)(BX*1), Y1
	VDIVPS  Y0, Y1, Y1          // g / (1 + u*u)
	VMULPS  Y15, Y1, Y1         // half * ...
	VMOVUPS Y1, (DI)(BX*1)
	ADDQ    $32, BX
	CMPQ    BX, CX
	JLT     aloop

adone:
	VZEROUPPER
	RET

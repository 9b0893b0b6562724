//go:build amd64 && !purego

// AVX2+FMA kernels of the optimizers' element loops (see adamGo and sgdGo
// for what they compute and kernels_amd64.go for their signatures). Each
// lane runs the scalar loop's operations in the same order, every one
// rounded once to float32 as the scalar loop rounds it: VFMADD231PS
// rounds x*y+z once, as fma32 does, and VSQRTPS, VDIVPS, VADDPS and
// VMULPS round as the scalar float32 operations do. The mode bits are
// tested in the loop; the branches always go the same way.

#include "textflag.h"

// Byte offsets of the fields of adamScalars.
#define A_WD 0
#define A_DECAY 4
#define A_BETA1 8
#define A_BETA2 12
#define A_ONEMINUSB1 16
#define A_ONEMINUSB2 20
#define A_BC2SQRT 24
#define A_EPS 28
#define A_NEGSTEP 32

// Byte offsets of the fields of sgdScalars.
#define S_WD 0
#define S_MOMENTUM 4
#define S_ONEMINUSDAMP 8
#define S_NEGLR 12

// func adamAVX2(k *adamScalars, p, grad, m, v, vmax *float32, n, mode int)
TEXT ·adamAVX2(SB), NOSPLIT, $0-64
	MOVQ k+0(FP), AX
	MOVQ p+8(FP), DI
	MOVQ grad+16(FP), SI
	MOVQ m+24(FP), R8
	MOVQ v+32(FP), R9
	MOVQ vmax+40(FP), R10
	MOVQ n+48(FP), CX
	MOVQ mode+56(FP), DX
	SHLQ $2, CX
	XORQ BX, BX

	VBROADCASTSS A_WD(AX), Y15
	VBROADCASTSS A_DECAY(AX), Y14
	VBROADCASTSS A_BETA1(AX), Y13
	VBROADCASTSS A_BETA2(AX), Y12
	VBROADCASTSS A_ONEMINUSB1(AX), Y11
	VBROADCASTSS A_ONEMINUSB2(AX), Y10
	VBROADCASTSS A_BC2SQRT(AX), Y9
	VBROADCASTSS A_EPS(AX), Y8
	VBROADCASTSS A_NEGSTEP(AX), Y7
	MOVL         $0x80000000, R11
	VMOVD        R11, X6
	VPBROADCASTD X6, Y6                // the sign bit

adamloop:
	VMOVUPS (SI)(BX*1), Y0 // g
	VMOVUPS (DI)(BX*1), Y1 // p
	TESTQ   $2, DX
	JZ      adamnodecay
	VMULPS  Y14, Y1, Y1    // p = p*decay

adamnodecay:
	TESTQ       $1, DX
	JZ          adamnol2
	VFMADD231PS Y1, Y15, Y0 // g = wd*p + g

adamnol2:
	VMULPS      (R8)(BX*1), Y13, Y2 // m*beta1
	VFMADD231PS Y0, Y11, Y2         // m = (1-beta1)*g + m*beta1
	VMULPS      Y0, Y10, Y3         // (1-beta2)*g
	VMULPS      (R9)(BX*1), Y12, Y4 // v*beta2
	VFMADD231PS Y0, Y3, Y4          // v = ((1-beta2)*g)*g + v*beta2
	VMOVUPS     Y2, (R8)(BX*1)
	VMOVUPS     Y4, (R9)(BX*1)
	TESTQ       $4, DX
	JZ          adamnoams

	// v = max(vmax, v) as Go's max computes it on amd64, NaNs and zeros
	// included: -t with a = -vmax, b = -v, t1 = a < b ? a : b,
	// t2 = t1 < a ? t1 : a and t = t1 | t2.
	VXORPS  (R10)(BX*1), Y6, Y5 // a
	VXORPS  Y4, Y6, Y3          // b
	VMINPS  Y3, Y5, Y3          // t1
	VMINPS  Y5, Y3, Y5          // t2
	VORPS   Y3, Y5, Y5
	VXORPS  Y5, Y6, Y4
	VMOVUPS Y4, (R10)(BX*1)

adamnoams:
	VSQRTPS Y4, Y5
	VDIVPS  Y9, Y5, Y5     // sqrt(v)/sqrt(1-beta2^t)
	VADDPS  Y8, Y5, Y5     // denom
	VMULPS  Y2, Y7, Y3     // negStep*m
	VDIVPS  Y5, Y3, Y3     // negStep*m/denom
	VADDPS  Y1, Y3, Y1     // p = that + p: a NaN update wins over a NaN p, as in adamGo
	VMOVUPS Y1, (DI)(BX*1)
	ADDQ    $32, BX
	CMPQ    BX, CX
	JLT     adamloop

	VZEROUPPER
	RET

// func sgdAVX2(k *sgdScalars, p, grad, buf *float32, n, mode int)
TEXT ·sgdAVX2(SB), NOSPLIT, $0-48
	MOVQ k+0(FP), AX
	MOVQ p+8(FP), DI
	MOVQ grad+16(FP), SI
	MOVQ buf+24(FP), R8
	MOVQ n+32(FP), CX
	MOVQ mode+40(FP), DX
	SHLQ $2, CX
	XORQ BX, BX

	VBROADCASTSS S_WD(AX), Y15
	VBROADCASTSS S_MOMENTUM(AX), Y14
	VBROADCASTSS S_ONEMINUSDAMP(AX), Y13
	VBROADCASTSS S_NEGLR(AX), Y12

sgdloop:
	VMOVUPS     (SI)(BX*1), Y0 // d = g
	VMOVUPS     (DI)(BX*1), Y1 // p
	TESTQ       $1, DX
	JZ          sgdnol2
	VFMADD231PS Y1, Y15, Y0    // d = wd*p + d

sgdnol2:
	TESTQ $2, DX
	JZ    sgdupdate
	TESTQ $4, DX
	JZ    sgdbuf
	VMOVAPS Y0, Y2             // buf = d
	JMP   sgdstore

sgdbuf:
	VMULPS      (R8)(BX*1), Y14, Y2 // buf*momentum
	VFMADD231PS Y0, Y13, Y2         // buf = (1-dampening)*d + buf*momentum

sgdstore:
	VMOVUPS Y2, (R8)(BX*1)
	TESTQ   $8, DX
	JZ      sgdplain
	VFMADD231PS Y2, Y14, Y0         // d = momentum*buf + d
	JMP     sgdupdate

sgdplain:
	VMOVAPS Y2, Y0 // d = buf

sgdupdate:
	VFMADD231PS Y0, Y12, Y1 // p = -lr*d + p
	VMOVUPS     Y1, (DI)(BX*1)
	ADDQ        $32, BX
	CMPQ        BX, CX
	JLT         sgdloop

	VZEROUPPER
	RET

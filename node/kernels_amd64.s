//go:build amd64 && !purego

// AVX2 kernels of the fused multi-step node (see kernels.go for what they
// compute and kernels_amd64.go for their signatures). Every lane runs the
// operations of the Go loops in their order, each rounded to float32 on
// its own (VADDPS, VSUBPS, VMULPS and VDIVPS round as the scalar float32
// operations do, and no multiply-add is fused), so both give the same
// bits. The charge equation and the spike rule are chosen by the mode,
// outside the loops.

#include "textflag.h"

// Byte offsets of the fields of chargeConsts.
#define C_DT 0
#define C_TAU 4
#define C_INV 8
#define C_K 12

// The kinds of the mode (modeIF ... modePLIF in kernels_amd64.go).
#define M_IF 0
#define M_LIFINV 1
#define M_LIFDIV 2
#define M_LIFSTDP 3
#define M_PLIF 4

// CONSTS loads the constants from AX: Y15 ones, Y14 zeros, Y13 dt, Y12
// tau, Y11 1/tau, Y10 k.
#define CONSTS \
	MOVL         $0x3f800000, R11; \
	VMOVD        R11, X15;         \
	VPBROADCASTD X15, Y15;         \
	VXORPS       Y14, Y14, Y14;    \
	VBROADCASTSS C_DT(AX), Y13;    \
	VBROADCASTSS C_TAU(AX), Y12;   \
	VBROADCASTSS C_INV(AX), Y11;   \
	VBROADCASTSS C_K(AX), Y10

// The charge equations: Y2 = the membrane charged from Y0 (mem) with
// input Y1 (x), as chargeIF ... chargePLIF compute it.
#define CHARGE_IF \
	VMULPS Y13, Y1, Y2; \
	VADDPS Y2, Y0, Y2

#define CHARGE_LIFINV \
	VSUBPS Y0, Y1, Y2; \
	VMULPS Y11, Y2, Y2; \
	VADDPS Y2, Y0, Y2

#define CHARGE_LIFDIV \
	VSUBPS Y0, Y1, Y2; \
	VDIVPS Y12, Y2, Y2; \
	VADDPS Y2, Y0, Y2

#define CHARGE_LIFSTDP \
	VMULPS Y12, Y0, Y2; \
	VADDPS Y1, Y2, Y2

#define CHARGE_PLIF \
	VSUBPS Y0, Y1, Y2; \
	VMULPS Y10, Y2, Y2; \
	VMULPS Y13, Y2, Y2; \
	VADDPS Y2, Y0, Y2

// FIRE(pred) stores the charged membrane Y2 at pre, the spike s = 1
// where (Y2 - th) pred 0 holds (else +0) at out, and Y2*(1 - s) at mem,
// and counts the spikes in the dword lanes of Y9. pred is the predicate
// of VCMPPS: 0x1e (greater, ordered) or 0x1d (greater or equal,
// ordered), false for NaN as Go's > and >= are.
#define FIRE(pred) \
	VMOVUPS Y2, (DI)(BX*1);         \
	VSUBPS  (R8)(BX*1), Y2, Y3; \
	VCMPPS  $pred, Y14, Y3, Y4; \
	VANDPS  Y15, Y4, Y5; \
	VMOVUPS Y5, (R9)(BX*1);         \
	VSUBPS  Y5, Y15, Y6; \
	VMULPS  Y6, Y2, Y6; \
	VMOVUPS Y6, (SI)(BX*1);         \
	VPSUBD  Y4, Y9, Y9

// LOADMX loads the membrane into Y0 and the input into Y1.
#define LOADMX \
	VMOVUPS (SI)(BX*1), Y0; \
	VMOVUPS (DX)(BX*1), Y1

// func chargeFireAVX2(pre, mem, x, th, out *float32, n int, c *chargeConsts, mode int) int
TEXT ·chargeFireAVX2(SB), NOSPLIT, $0-72
	MOVQ pre+0(FP), DI
	MOVQ mem+8(FP), SI
	MOVQ x+16(FP), DX
	MOVQ th+24(FP), R8
	MOVQ out+32(FP), R9
	MOVQ n+40(FP), CX
	MOVQ c+48(FP), AX
	MOVQ mode+56(FP), R10
	SHLQ $2, CX
	XORQ BX, BX
	CONSTS
	VPXOR Y9, Y9, Y9
	TESTQ CX, CX
	JLE   fdone
	MOVQ  R10, R12
	ANDQ  $7, R12
	TESTQ $8, R10
	JNZ   fge
	CMPQ  R12, $M_IF
	JEQ   fgtIF
	CMPQ  R12, $M_LIFINV
	JEQ   fgtLIFINV
	CMPQ  R12, $M_LIFDIV
	JEQ   fgtLIFDIV
	CMPQ  R12, $M_LIFSTDP
	JEQ   fgtLIFSTDP
	JMP   fgtPLIF

fge:
	CMPQ R12, $M_IF
	JEQ  fgeIF
	CMPQ R12, $M_LIFINV
	JEQ  fgeLIFINV
	CMPQ R12, $M_LIFDIV
	JEQ  fgeLIFDIV
	CMPQ R12, $M_LIFSTDP
	JEQ  fgeLIFSTDP
	JMP  fgePLIF

fgtIF:
	LOADMX
	CHARGE_IF
	FIRE(0x1e)
	ADDQ $32, BX
	CMPQ BX, CX
	JLT  fgtIF
	JMP  fdone

fgtLIFINV:
	LOADMX
	CHARGE_LIFINV
	FIRE(0x1e)
	ADDQ $32, BX
	CMPQ BX, CX
	JLT  fgtLIFINV
	JMP  fdone

fgtLIFDIV:
	LOADMX
	CHARGE_LIFDIV
	FIRE(0x1e)
	ADDQ $32, BX
	CMPQ BX, CX
	JLT  fgtLIFDIV
	JMP  fdone

fgtLIFSTDP:
	LOADMX
	CHARGE_LIFSTDP
	FIRE(0x1e)
	ADDQ $32, BX
	CMPQ BX, CX
	JLT  fgtLIFSTDP
	JMP  fdone

fgtPLIF:
	LOADMX
	CHARGE_PLIF
	FIRE(0x1e)
	ADDQ $32, BX
	CMPQ BX, CX
	JLT  fgtPLIF
	JMP  fdone

fgeIF:
	LOADMX
	CHARGE_IF
	FIRE(0x1d)
	ADDQ $32, BX
	CMPQ BX, CX
	JLT  fgeIF
	JMP  fdone

fgeLIFINV:
	LOADMX
	CHARGE_LIFINV
	FIRE(0x1d)
	ADDQ $32, BX
	CMPQ BX, CX
	JLT  fgeLIFINV
	JMP  fdone

fgeLIFDIV:
	LOADMX
	CHARGE_LIFDIV
	FIRE(0x1d)
	ADDQ $32, BX
	CMPQ BX, CX
	JLT  fgeLIFDIV
	JMP  fdone

fgeLIFSTDP:
	LOADMX
	CHARGE_LIFSTDP
	FIRE(0x1d)
	ADDQ $32, BX
	CMPQ BX, CX
	JLT  fgeLIFSTDP
	JMP  fdone

fgePLIF:
	LOADMX
	CHARGE_PLIF
	FIRE(0x1d)
	ADDQ $32, BX
	CMPQ BX, CX
	JLT  fgePLIF

fdone:
	// The sum of the eight lane counts.
	VEXTRACTI128 $1, Y9, X0
	VPADDD       X0, X9, X9
	VPSHUFD      $0x4e, X9, X0
	VPADDD       X0, X9, X9
	VPSHUFD      $0xb1, X9, X0
	VPADDD       X0, X9, X9
	VMOVD        X9, AX
	MOVQ         AX, ret+64(FP)
	VZEROUPPER
	RET

// BACKGM sets Y0 to gm = gu + gmNext*(1 - spk) and leaves nothing else.
#define BACKGM \
	VMOVUPS (R9)(BX*1), Y0; \
	VSUBPS  Y0, Y15, Y0; \
	VMULPS  (SI)(BX*1), Y0, Y0; \
	VADDPS  (R8)(BX*1), Y0, Y0

// The backward passes of the charge equations: from gm in Y0, the input
// gradient into Y1 and the previous membrane's into Y2, as backIF ...
// backPLIF compute them.
#define BACK_IF \
	VMULPS  Y13, Y0, Y1; \
	VMOVUPS Y0, Y2

#define BACK_LIFINV \
	VMULPS Y11, Y0, Y1; \
	VSUBPS Y1, Y0, Y2

#define BACK_LIFDIV \
	VDIVPS Y12, Y0, Y1; \
	VSUBPS Y1, Y0, Y2

#define BACK_LIFSTDP \
	VMOVUPS Y0, Y1;     \
	VMULPS  Y12, Y0, Y2

#define BACK_PLIF \
	VMULPS Y13, Y0, Y1; \
	VMULPS Y10, Y1, Y1; \
	VSUBPS Y1, Y0, Y2

// BACKSTORE stores the previous membrane's gradient Y2 at gmNext and the
// input gradient Y1 at gx, or adds it there when R12 (the accumulate
// bit) is set.
#define BACKSTORE \
	VMOVUPS Y2, (SI)(BX*1);     \
	TESTQ   R12, R12;           \
	JZ      2(PC);              \
	VADDPS  (DI)(BX*1), Y1, Y1; \
	VMOVUPS Y1, (DI)(BX*1)

// func chargeBackAVX2(gx, gmNext, gu, spk *float32, n int, c *chargeConsts, mode int)
TEXT ·chargeBackAVX2(SB), NOSPLIT, $0-56
	MOVQ gx+0(FP), DI
	MOVQ gmNext+8(FP), SI
	MOVQ gu+16(FP), R8
	MOVQ spk+24(FP), R9
	MOVQ n+32(FP), CX
	MOVQ c+40(FP), AX
	MOVQ mode+48(FP), R10
	SHLQ $2, CX
	XORQ BX, BX
	CONSTS
	TESTQ CX, CX
	JLE   bdone
	MOVQ  R10, R12
	ANDQ  $8, R12 // accumulate
	ANDQ  $7, R10
	CMPQ  R10, $M_IF
	JEQ   bIF
	CMPQ  R10, $M_LIFINV
	JEQ   bLIFINV
	CMPQ  R10, $M_LIFDIV
	JEQ   bLIFDIV
	CMPQ  R10, $M_LIFSTDP
	JEQ   bLIFSTDP
	JMP   bPLIF

bIF:
	BACKGM
	BACK_IF
	BACKSTORE
	ADDQ $32, BX
	CMPQ BX, CX
	JLT  bIF
	JMP  bdone

bLIFINV:
	BACKGM
	BACK_LIFINV
	BACKSTORE
	ADDQ $32, BX
	CMPQ BX, CX
	JLT  bLIFINV
	JMP  bdone

bLIFDIV:
	BACKGM
	BACK_LIFDIV
	BACKSTORE
	ADDQ $32, BX
	CMPQ BX, CX
	JLT  bLIFDIV
	JMP  bdone

bLIFSTDP:
	BACKGM
	BACK_LIFSTDP
	BACKSTORE
	ADDQ $32, BX
	CMPQ BX, CX
	JLT  bLIFSTDP
	JMP  bdone

bPLIF:
	BACKGM
	BACK_PLIF
	BACKSTORE
	ADDQ $32, BX
	CMPQ BX, CX
	JLT  bPLIF

bdone:
	VZEROUPPER
	RET

// func subAVX2(u, a, b *float32, n int)
TEXT ·subAVX2(SB), NOSPLIT, $0-32
	MOVQ u+0(FP), DI
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DX
	MOVQ n+24(FP), CX
	SHLQ $2, CX
	XORQ BX, BX
	TESTQ CX, CX
	JLE   sdone

sloop:
	VMOVUPS (SI)(BX*1), Y0
	VSUBPS  (DX)(BX*1), Y0, Y0
	VMOVUPS Y0, (DI)(BX*1)
	ADDQ    $32, BX
	CMPQ    BX, CX
	JLT     sloop

sdone:
	VZEROUPPER
	RET

// RESET stores the charged membrane Y2 at pre and Y2*(1 - spk) at mem.
#define RESET \
	VMOVUPS Y2, (DI)(BX*1);     \
	VMOVUPS (R9)(BX*1), Y3;     \
	VSUBPS  Y3, Y15, Y3;        \
	VMULPS  Y3, Y2, Y3;         \
	VMOVUPS Y3, (SI)(BX*1)

// func chargeResetAVX2(pre, mem, x, spk *float32, n int, c *chargeConsts, mode int)
TEXT ·chargeResetAVX2(SB), NOSPLIT, $0-56
	MOVQ pre+0(FP), DI
	MOVQ mem+8(FP), SI
	MOVQ x+16(FP), DX
	MOVQ spk+24(FP), R9
	MOVQ n+32(FP), CX
	MOVQ c+40(FP), AX
	MOVQ mode+48(FP), R10
	SHLQ $2, CX
	XORQ BX, BX
	CONSTS
	TESTQ CX, CX
	JLE   rdone
	ANDQ  $7, R10
	CMPQ  R10, $M_IF
	JEQ   rIF
	CMPQ  R10, $M_LIFINV
	JEQ   rLIFINV
	CMPQ  R10, $M_LIFDIV
	JEQ   rLIFDIV
	CMPQ  R10, $M_LIFSTDP
	JEQ   rLIFSTDP
	JMP   rPLIF

rIF:
	LOADMX
	CHARGE_IF
	RESET
	ADDQ $32, BX
	CMPQ BX, CX
	JLT  rIF
	JMP  rdone

rLIFINV:
	LOADMX
	CHARGE_LIFINV
	RESET
	ADDQ $32, BX
	CMPQ BX, CX
	JLT  rLIFINV
	JMP  rdone

rLIFDIV:
	LOADMX
	CHARGE_LIFDIV
	RESET
	ADDQ $32, BX
	CMPQ BX, CX
	JLT  rLIFDIV
	JMP  rdone

rLIFSTDP:
	LOADMX
	CHARGE_LIFSTDP
	RESET
	ADDQ $32, BX
	CMPQ BX, CX
	JLT  rLIFSTDP
	JMP  rdone

rPLIF:
	LOADMX
	CHARGE_PLIF
	RESET
	ADDQ $32, BX
	CMPQ BX, CX
	JLT  rPLIF

rdone:
	VZEROUPPER
	RET

//go:build amd64 && !purego

// AVX2 kernels of 2×2, stride-2 max pooling (see pool_amd64.go).

#include "textflag.h"

// Byte 0 of every dword of each 128-bit lane into bytes 0..3 of the lane.
DATA poolPackIdx<>+0(SB)/8, $0x808080800c080400
DATA poolPackIdx<>+8(SB)/8, $0x8080808080808080
DATA poolPackIdx<>+16(SB)/8, $0x808080800c080400
DATA poolPackIdx<>+24(SB)/8, $0x8080808080808080
GLOBL poolPackIdx<>(SB), RODATA|NOPTR, $32

// The winner of each window follows PyTorch's CPU loop over x0 x1 (top
// row) x2 x3 (bottom row): v replaces the best so far when v > best or v
// is NaN. As a tournament: top = x1 if (x1 > x0 || x1 is NaN) else x0,
// likewise bottom from x2 x3, and the window's value is bottom if
// (bottom > top || bottom is NaN) else top, which picks the same element.
// Index: 0..3 in row-major order within the window.
//
// Registers: SI top input row, R11 bottom input row, DI output row, R8
// argmax row, BX output column; Y13 dwords 1, Y14 dwords 2, Y15
// poolPackIdx.

// POOL8 pools the 8 windows of output columns BX..BX+7.
#define POOL8 \
	VMOVUPS   (SI)(BX*8), Y0;       \
	VMOVUPS   32(SI)(BX*8), Y1;     \
	VMOVUPS   (R11)(BX*8), Y2;      \
	VMOVUPS   32(R11)(BX*8), Y3;    \
	VSHUFPS   $0x88, Y1, Y0, Y4;    \
	VSHUFPS   $0xDD, Y1, Y0, Y5;    \
	VSHUFPS   $0x88, Y3, Y2, Y6;    \
	VSHUFPS   $0xDD, Y3, Y2, Y7;    \
	VCMPPS    $0x1e, Y4, Y5, Y8;    \
	VCMPPS    $3, Y5, Y5, Y9;       \
	VORPS     Y9, Y8, Y8;           \
	VBLENDVPS Y8, Y5, Y4, Y4;       \
	VANDPS    Y13, Y8, Y8;          \
	VCMPPS    $0x1e, Y6, Y7, Y10;   \
	VCMPPS    $3, Y7, Y7, Y11;      \
	VORPS     Y11, Y10, Y10;        \
	VBLENDVPS Y10, Y7, Y6, Y6;      \
	VANDPS    Y13, Y10, Y10;        \
	VORPS     Y14, Y10, Y10;        \
	VCMPPS    $0x1e, Y4, Y6, Y0;    \
	VCMPPS    $3, Y6, Y6, Y1;       \
	VORPS     Y1, Y0, Y0;           \
	VBLENDVPS Y0, Y6, Y4, Y4;       \
	VPERMPD   $0xd8, Y4, Y4;        \
	VMOVUPS   Y4, (DI)(BX*4);       \
	VBLENDVPS Y0, Y10, Y8, Y8;      \
	VPSHUFB   Y15, Y8, Y8;          \
	VEXTRACTI128 $1, Y8, X9;        \
	VPUNPCKLWD X9, X8, X8;          \
	VMOVQ     X8, (R8)(BX*1)

// POOL4 pools the 4 windows of output columns BX..BX+3.
#define POOL4 \
	VMOVUPS   (SI)(BX*8), X0;       \
	VMOVUPS   16(SI)(BX*8), X1;     \
	VMOVUPS   (R11)(BX*8), X2;      \
	VMOVUPS   16(R11)(BX*8), X3;    \
	VSHUFPS   $0x88, X1, X0, X4;    \
	VSHUFPS   $0xDD, X1, X0, X5;    \
	VSHUFPS   $0x88, X3, X2, X6;    \
	VSHUFPS   $0xDD, X3, X2, X7;    \
	VCMPPS    $0x1e, X4, X5, X8;    \
	VCMPPS    $3, X5, X5, X9;       \
	VORPS     X9, X8, X8;           \
	VBLENDVPS X8, X5, X4, X4;       \
	VANDPS    X13, X8, X8;          \
	VCMPPS    $0x1e, X6, X7, X10;   \
	VCMPPS    $3, X7, X7, X11;      \
	VORPS     X11, X10, X10;        \
	VBLENDVPS X10, X7, X6, X6;      \
	VANDPS    X13, X10, X10;        \
	VORPS     X14, X10, X10;        \
	VCMPPS    $0x1e, X4, X6, X0;    \
	VCMPPS    $3, X6, X6, X1;       \
	VORPS     X1, X0, X0;           \
	VBLENDVPS X0, X6, X4, X4;       \
	VMOVUPS   X4, (DI)(BX*4);       \
	VBLENDVPS X0, X10, X8, X8;      \
	VPSHUFB   X15, X8, X8;          \
	VMOVD     X8, (R8)(BX*1)

// func maxPool2x2AVX2(x, y *float32, arg *uint8, argStride, rows, wo, w int)
//
// Pools rows output rows of wo >= 4 columns: output row r reads input
// rows at x + 2r·w and x + (2r+1)·w, and writes y + r·wo and
// arg + r·argStride (argStride is wo, or 0 to discard the argmax into one
// row of wo bytes).
TEXT ·maxPool2x2AVX2(SB), NOSPLIT, $0-56
	MOVQ x+0(FP), SI
	MOVQ y+8(FP), DI
	MOVQ arg+16(FP), R8
	MOVQ argStride+24(FP), R12
	MOVQ rows+32(FP), CX
	MOVQ wo+40(FP), R9
	MOVQ w+48(FP), R10
	SHLQ $2, R10            // input row in bytes
	VPCMPEQD Y13, Y13, Y13
	VPSRLD   $31, Y13, Y13  // dwords 1
	VPSLLD   $1, Y13, Y14   // dwords 2
	VMOVDQU  poolPackIdx<>(SB), Y15
	TESTQ CX, CX
	JLE   done
	CMPQ  R9, $8
	JLT   rows4

rows8:
	LEAQ (SI)(R10*1), R11
	XORQ BX, BX
	MOVQ R9, DX
	SUBQ $8, DX             // last full block start
loop8:
	CMPQ BX, DX
	JGT  tail8
	POOL8
	ADDQ $8, BX
	JMP  loop8
tail8:
	CMPQ BX, R9
	JEQ  next8
	MOVQ DX, BX             // overlapping last block
	POOL8
next8:
	LEAQ (SI)(R10*2), SI
	LEAQ (DI)(R9*4), DI
	ADDQ  R12, R8
	DECQ CX
	JNZ  rows8
	JMP  done

rows4:
	LEAQ (SI)(R10*1), R11
	XORQ BX, BX
	MOVQ R9, DX
	SUBQ $4, DX
loop4:
	CMPQ BX, DX
	JGT  tail4
	POOL4
	ADDQ $4, BX
	JMP  loop4
tail4:
	CMPQ BX, R9
	JEQ  next4
	MOVQ DX, BX
	POOL4
next4:
	LEAQ (SI)(R10*2), SI
	LEAQ (DI)(R9*4), DI
	ADDQ  R12, R8
	DECQ CX
	JNZ  rows4

done:
	VZEROUPPER
	RET

// UNPOOL8 writes the gradient rows of the 8 windows of output columns
// BX..BX+7: g + 0 (so -0 becomes +0, as 0 + g does) at the recorded
// position, +0 at the other three. Y12 zero, Y13..Y11 dwords 1, 2, 3.
#define UNPOOL8 \
	VMOVUPS    (DX)(BX*4), Y0;        \
	VADDPS     Y12, Y0, Y0;           \
	VPMOVZXBD  (R8)(BX*1), Y1;        \
	VPCMPEQD   Y12, Y1, Y2;           \
	VPCMPEQD   Y13, Y1, Y3;           \
	VPCMPEQD   Y14, Y1, Y4;           \
	VPCMPEQD   Y11, Y1, Y5;           \
	VANDPS     Y0, Y2, Y2;            \
	VANDPS     Y0, Y3, Y3;            \
	VANDPS     Y0, Y4, Y4;            \
	VANDPS     Y0, Y5, Y5;            \
	VUNPCKLPS  Y3, Y2, Y6;            \
	VUNPCKHPS  Y3, Y2, Y7;            \
	VPERM2F128 $0x20, Y7, Y6, Y8;     \
	VPERM2F128 $0x31, Y7, Y6, Y9;     \
	VMOVUPS    Y8, (DI)(BX*8);        \
	VMOVUPS    Y9, 32(DI)(BX*8);      \
	VUNPCKLPS  Y5, Y4, Y6;            \
	VUNPCKHPS  Y5, Y4, Y7;            \
	VPERM2F128 $0x20, Y7, Y6, Y8;     \
	VPERM2F128 $0x31, Y7, Y6, Y9;     \
	VMOVUPS    Y8, (R11)(BX*8);       \
	VMOVUPS    Y9, 32(R11)(BX*8)

#define UNPOOL4 \
	VMOVUPS    (DX)(BX*4), X0;        \
	VADDPS     X12, X0, X0;           \
	VPMOVZXBD  (R8)(BX*1), X1;        \
	VPCMPEQD   X12, X1, X2;           \
	VPCMPEQD   X13, X1, X3;           \
	VPCMPEQD   X14, X1, X4;           \
	VPCMPEQD   X11, X1, X5;           \
	VANDPS     X0, X2, X2;            \
	VANDPS     X0, X3, X3;            \
	VANDPS     X0, X4, X4;            \
	VANDPS     X0, X5, X5;            \
	VUNPCKLPS  X3, X2, X6;            \
	VUNPCKHPS  X3, X2, X7;            \
	VMOVUPS    X6, (DI)(BX*8);        \
	VMOVUPS    X7, 16(DI)(BX*8);      \
	VUNPCKLPS  X5, X4, X6;            \
	VUNPCKHPS  X5, X4, X7;            \
	VMOVUPS    X6, (R11)(BX*8);       \
	VMOVUPS    X7, 16(R11)(BX*8)

// func maxUnpool2x2AVX2(gx, grad *float32, arg *uint8, rows, wo, w int)
//
// The adjoint of maxPool2x2AVX2: for rows output rows of wo >= 4
// columns, writes the first 2·wo columns of input rows 2r and 2r+1 of gx
// from grad + r·wo and arg + r·wo.
TEXT ·maxUnpool2x2AVX2(SB), NOSPLIT, $0-48
	MOVQ gx+0(FP), DI
	MOVQ grad+8(FP), DX
	MOVQ arg+16(FP), R8
	MOVQ rows+24(FP), CX
	MOVQ wo+32(FP), R9
	MOVQ w+40(FP), R10
	SHLQ $2, R10
	VXORPS   Y12, Y12, Y12
	VPCMPEQD Y13, Y13, Y13
	VPSRLD   $31, Y13, Y13  // dwords 1
	VPSLLD   $1, Y13, Y14   // dwords 2
	VPOR     Y13, Y14, Y11  // dwords 3
	TESTQ CX, CX
	JLE   udone
	MOVQ R9, SI
	CMPQ R9, $8
	JLT  urows4
	SUBQ $8, SI             // last full block start

urows8:
	LEAQ (DI)(R10*1), R11
	XORQ BX, BX
uloop8:
	CMPQ BX, SI
	JGT  utail8
	UNPOOL8
	ADDQ $8, BX
	JMP  uloop8
utail8:
	CMPQ BX, R9
	JEQ  unext8
	MOVQ SI, BX
	UNPOOL8
unext8:
	LEAQ (DI)(R10*2), DI
	LEAQ (DX)(R9*4), DX
	ADDQ R9, R8
	DECQ CX
	JNZ  urows8
	JMP  udone

urows4:
	SUBQ $4, SI
urows4loop:
	LEAQ (DI)(R10*1), R11
	XORQ BX, BX
uloop4:
	CMPQ BX, SI
	JGT  utail4
	UNPOOL4
	ADDQ $4, BX
	JMP  uloop4
utail4:
	CMPQ BX, R9
	JEQ  unext4
	MOVQ SI, BX
	UNPOOL4
unext4:
	LEAQ (DI)(R10*2), DI
	LEAQ (DX)(R9*4), DX
	ADDQ R9, R8
	DECQ CX
	JNZ  urows4loop

udone:
	VZEROUPPER
	RET

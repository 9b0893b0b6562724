//go:build amd64 && !purego

// Micro-kernels and packing routines of Gemm (see gemm.go for the
// layouts). The kernels need AVX2 and FMA, the 32-column ones AVX-512F.

#include "textflag.h"

// One step of the 6×16 kernel: B row p in Y12:Y13, A column p broadcast
// alternately in Y14 and Y15, row i of the tile accumulated in Y(2i):Y(2i+1).
#define STEP6(aoff, boff) \
	VMOVUPS      (boff)(BX), Y12;    \
	VMOVUPS      (boff+32)(BX), Y13; \
	VBROADCASTSS (aoff)(AX), Y14;    \
	VFMADD231PS  Y12, Y14, Y0;       \
	VFMADD231PS  Y13, Y14, Y1;       \
	VBROADCASTSS (aoff+4)(AX), Y15;  \
	VFMADD231PS  Y12, Y15, Y2;       \
	VFMADD231PS  Y13, Y15, Y3;       \
	VBROADCASTSS (aoff+8)(AX), Y14;  \
	VFMADD231PS  Y12, Y14, Y4;       \
	VFMADD231PS  Y13, Y14, Y5;       \
	VBROADCASTSS (aoff+12)(AX), Y15; \
	VFMADD231PS  Y12, Y15, Y6;       \
	VFMADD231PS  Y13, Y15, Y7;       \
	VBROADCASTSS (aoff+16)(AX), Y14; \
	VFMADD231PS  Y12, Y14, Y8;       \
	VFMADD231PS  Y13, Y14, Y9;       \
	VBROADCASTSS (aoff+20)(AX), Y15; \
	VFMADD231PS  Y12, Y15, Y10;      \
	VFMADD231PS  Y13, Y15, Y11

#define STEP4(aoff, boff) \
	VMOVUPS      (boff)(BX), Y12;    \
	VMOVUPS      (boff+32)(BX), Y13; \
	VBROADCASTSS (aoff)(AX), Y14;    \
	VFMADD231PS  Y12, Y14, Y0;       \
	VFMADD231PS  Y13, Y14, Y1;       \
	VBROADCASTSS (aoff+4)(AX), Y15;  \
	VFMADD231PS  Y12, Y15, Y2;       \
	VFMADD231PS  Y13, Y15, Y3;       \
	VBROADCASTSS (aoff+8)(AX), Y14;  \
	VFMADD231PS  Y12, Y14, Y4;       \
	VFMADD231PS  Y13, Y14, Y5;       \
	VBROADCASTSS (aoff+12)(AX), Y15; \
	VFMADD231PS  Y12, Y15, Y6;       \
	VFMADD231PS  Y13, Y15, Y7

// Store row accumulators lo:hi at ptr, either as they are (STORE) or as
// beta·C + acc with beta broadcast in Y15 (UPDATE).
#define STORE(lo, hi, ptr, ptr32) \
	VMOVUPS lo, ptr;       \
	VMOVUPS hi, ptr32

#define UPDATE(lo, hi, ptr, ptr32) \
	VFMADD231PS ptr, Y15, lo;      \
	VFMADD231PS ptr32, Y15, hi;    \
	VMOVUPS     lo, ptr;           \
	VMOVUPS     hi, ptr32

// func gemmKernel6x16(kc int, a, b, c *float32, ldc int, load int, beta float32)
TEXT ·gemmKernel6x16(SB), NOSPLIT, $0-52
	MOVQ kc+0(FP), CX
	MOVQ a+8(FP), AX
	MOVQ b+16(FP), BX
	MOVQ c+24(FP), DI
	MOVQ ldc+32(FP), R8
	SHLQ $2, R8
	LEAQ (DI)(R8*2), R10
	ADDQ R8, R10          // R10 = row 3 of C
	PREFETCHT0 (DI)
	PREFETCHT0 (DI)(R8*1)
	PREFETCHT0 (DI)(R8*2)
	PREFETCHT0 (R10)
	PREFETCHT0 (R10)(R8*1)
	PREFETCHT0 (R10)(R8*2)
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
	VXORPS Y10, Y10, Y10
	VXORPS Y11, Y11, Y11
	MOVQ CX, DX
	SHRQ $2, DX
	JZ   tail6

loop6:
	STEP6(0, 0)
	STEP6(24, 64)
	STEP6(48, 128)
	STEP6(72, 192)
	ADDQ $96, AX
	ADDQ $256, BX
	DECQ DX
	JNZ  loop6

tail6:
	ANDQ $3, CX
	JZ   store6

loop6tail:
	STEP6(0, 0)
	ADDQ $24, AX
	ADDQ $64, BX
	DECQ CX
	JNZ  loop6tail

store6:
	MOVQ load+40(FP), DX
	TESTQ DX, DX
	JNZ  update6
	STORE(Y0, Y1, (DI), 32(DI))
	STORE(Y2, Y3, (DI)(R8*1), 32(DI)(R8*1))
	STORE(Y4, Y5, (DI)(R8*2), 32(DI)(R8*2))
	STORE(Y6, Y7, (R10), 32(R10))
	STORE(Y8, Y9, (R10)(R8*1), 32(R10)(R8*1))
	STORE(Y10, Y11, (R10)(R8*2), 32(R10)(R8*2))
	VZEROUPPER
	RET

update6:
	VBROADCASTSS beta+48(FP), Y15
	UPDATE(Y0, Y1, (DI), 32(DI))
	UPDATE(Y2, Y3, (DI)(R8*1), 32(DI)(R8*1))
	UPDATE(Y4, Y5, (DI)(R8*2), 32(DI)(R8*2))
	UPDATE(Y6, Y7, (R10), 32(R10))
	UPDATE(Y8, Y9, (R10)(R8*1), 32(R10)(R8*1))
	UPDATE(Y10, Y11, (R10)(R8*2), 32(R10)(R8*2))
	VZEROUPPER
	RET

// func gemmKernel4x16(kc int, a, b, c *float32, ldc int, load int, beta float32)
TEXT ·gemmKernel4x16(SB), NOSPLIT, $0-52
	MOVQ kc+0(FP), CX
	MOVQ a+8(FP), AX
	MOVQ b+16(FP), BX
	MOVQ c+24(FP), DI
	MOVQ ldc+32(FP), R8
	SHLQ $2, R8
	LEAQ (DI)(R8*2), R10  // R10 = row 2 of C
	PREFETCHT0 (DI)
	PREFETCHT0 (DI)(R8*1)
	PREFETCHT0 (R10)
	PREFETCHT0 (R10)(R8*1)
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	MOVQ CX, DX
	SHRQ $2, DX
	JZ   tail4

loop4:
	STEP4(0, 0)
	STEP4(16, 64)
	STEP4(32, 128)
	STEP4(48, 192)
	ADDQ $64, AX
	ADDQ $256, BX
	DECQ DX
	JNZ  loop4

tail4:
	ANDQ $3, CX
	JZ   store4

loop4tail:
	STEP4(0, 0)
	ADDQ $16, AX
	ADDQ $64, BX
	DECQ CX
	JNZ  loop4tail

store4:
	MOVQ load+40(FP), DX
	TESTQ DX, DX
	JNZ  update4
	STORE(Y0, Y1, (DI), 32(DI))
	STORE(Y2, Y3, (DI)(R8*1), 32(DI)(R8*1))
	STORE(Y4, Y5, (R10), 32(R10))
	STORE(Y6, Y7, (R10)(R8*1), 32(R10)(R8*1))
	VZEROUPPER
	RET

update4:
	VBROADCASTSS beta+48(FP), Y15
	UPDATE(Y0, Y1, (DI), 32(DI))
	UPDATE(Y2, Y3, (DI)(R8*1), 32(DI)(R8*1))
	UPDATE(Y4, Y5, (R10), 32(R10))
	UPDATE(Y6, Y7, (R10)(R8*1), 32(R10)(R8*1))
	VZEROUPPER
	RET

// Transpose the 8×8 block in Y0..Y7 (rows) into Y8..Y15 (columns).
#define TRANSPOSE8                   \
	VUNPCKLPS  Y1, Y0, Y8;           \
	VUNPCKHPS  Y1, Y0, Y9;           \
	VUNPCKLPS  Y3, Y2, Y10;          \
	VUNPCKHPS  Y3, Y2, Y11;          \
	VUNPCKLPS  Y5, Y4, Y12;          \
	VUNPCKHPS  Y5, Y4, Y13;          \
	VUNPCKLPS  Y7, Y6, Y14;          \
	VUNPCKHPS  Y7, Y6, Y15;          \
	VSHUFPS    $0x44, Y10, Y8, Y0;   \
	VSHUFPS    $0xEE, Y10, Y8, Y1;   \
	VSHUFPS    $0x44, Y11, Y9, Y2;   \
	VSHUFPS    $0xEE, Y11, Y9, Y3;   \
	VSHUFPS    $0x44, Y14, Y12, Y4;  \
	VSHUFPS    $0xEE, Y14, Y12, Y5;  \
	VSHUFPS    $0x44, Y15, Y13, Y6;  \
	VSHUFPS    $0xEE, Y15, Y13, Y7;  \
	VPERM2F128 $0x20, Y4, Y0, Y8;    \
	VPERM2F128 $0x20, Y5, Y1, Y9;    \
	VPERM2F128 $0x20, Y6, Y2, Y10;   \
	VPERM2F128 $0x20, Y7, Y3, Y11;   \
	VPERM2F128 $0x31, Y4, Y0, Y12;   \
	VPERM2F128 $0x31, Y5, Y1, Y13;   \
	VPERM2F128 $0x31, Y6, Y2, Y14;   \
	VPERM2F128 $0x31, Y7, Y3, Y15

// func gemmPackBT8(dst, src *float32, ldb int, blocks int)
//
// For p < 8·blocks and j < 16, dst[p*16+j] = src[j*ldb+p].
TEXT ·gemmPackBT8(SB), NOSPLIT, $0-32
	MOVQ ldb+16(FP), R8
	SHLQ $2, R8
	LEAQ (R8)(R8*2), R9   // 3 rows
	MOVQ $0, R11          // half: 0 for rows 0-7, 32 bytes for 8-15

half:
	MOVQ dst+0(FP), DI
	ADDQ R11, DI
	MOVQ src+8(FP), SI
	TESTQ R11, R11
	JZ   rows0
	LEAQ (SI)(R8*8), SI   // rows 8-15

rows0:
	LEAQ (SI)(R8*4), R10
	MOVQ blocks+24(FP), CX

block:
	VMOVUPS (SI), Y0
	VMOVUPS (SI)(R8*1), Y1
	VMOVUPS (SI)(R8*2), Y2
	VMOVUPS (SI)(R9*1), Y3
	VMOVUPS (R10), Y4
	VMOVUPS (R10)(R8*1), Y5
	VMOVUPS (R10)(R8*2), Y6
	VMOVUPS (R10)(R9*1), Y7
	TRANSPOSE8
	VMOVUPS Y8, 0(DI)
	VMOVUPS Y9, 64(DI)
	VMOVUPS Y10, 128(DI)
	VMOVUPS Y11, 192(DI)
	VMOVUPS Y12, 256(DI)
	VMOVUPS Y13, 320(DI)
	VMOVUPS Y14, 384(DI)
	VMOVUPS Y15, 448(DI)
	ADDQ $32, SI
	ADDQ $32, R10
	ADDQ $512, DI
	DECQ CX
	JNZ  block

	ADDQ $32, R11
	CMPQ R11, $64
	JNE  half
	VZEROUPPER
	RET

// func gemmPackBN(dst, src *float32, ldb, kc, panels int)
//
// For p < kc, q < panels and j < 16, dst[q*kc*16+p*16+j] = src[p*ldb+q*16+j]:
// each row of the source is read once, contiguously.
TEXT ·gemmPackBN(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ ldb+16(FP), R8
	SHLQ $2, R8
	MOVQ kc+24(FP), CX
	MOVQ CX, R9
	SHLQ $6, R9           // bytes between panels
	MOVQ panels+32(FP), R11

rowN:
	MOVQ SI, AX
	MOVQ DI, BX
	MOVQ R11, DX


panelN:
	VMOVUPS (AX), Y0
	VMOVUPS 32(AX), Y1
	VMOVUPS Y0, (BX)
	VMOVUPS Y1, 32(BX)
	ADDQ $64, AX
	ADDQ R9, BX
	DECQ DX
	JNZ  panelN

	ADDQ R8, SI
	ADDQ $64, DI
	DECQ CX
	JNZ  rowN
	VZEROUPPER
	RET

// func gemmPackAN(dst, src *float32, lda, h, blocks int, alpha float32)
//
// Packs an h×(8·blocks) block of a row-major A (h = 4 or 6) as a panel:
// dst[p*h+i] = alpha·src[i*lda+p].
TEXT ·gemmPackAN(SB), NOSPLIT, $0-44
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ lda+16(FP), R8
	SHLQ $2, R8
	MOVQ blocks+32(FP), CX
	MOVQ h+24(FP), DX
	CMPQ DX, $6
	JEQ  an6

	// h = 4: transpose 4×8 into 8 columns of 4, stored contiguously.
	LEAQ (SI)(R8*2), R10

an4:
	VBROADCASTSS alpha+40(FP), Y15
	VMULPS     (SI), Y15, Y0
	VMULPS     (SI)(R8*1), Y15, Y1
	VMULPS     (R10), Y15, Y2
	VMULPS     (R10)(R8*1), Y15, Y3
	VUNPCKLPS  Y1, Y0, Y8
	VUNPCKHPS  Y1, Y0, Y9
	VUNPCKLPS  Y3, Y2, Y10
	VUNPCKHPS  Y3, Y2, Y11
	VSHUFPS    $0x44, Y10, Y8, Y4  // p0 | p4
	VSHUFPS    $0xEE, Y10, Y8, Y5  // p1 | p5
	VSHUFPS    $0x44, Y11, Y9, Y6  // p2 | p6
	VSHUFPS    $0xEE, Y11, Y9, Y7  // p3 | p7
	VPERM2F128 $0x20, Y5, Y4, Y0
	VPERM2F128 $0x20, Y7, Y6, Y1
	VPERM2F128 $0x31, Y5, Y4, Y2
	VPERM2F128 $0x31, Y7, Y6, Y3
	VMOVUPS    Y0, 0(DI)
	VMOVUPS    Y1, 32(DI)
	VMOVUPS    Y2, 64(DI)
	VMOVUPS    Y3, 96(DI)
	ADDQ $32, SI
	ADDQ $32, R10
	ADDQ $128, DI
	DECQ CX
	JNZ  an4
	VZEROUPPER
	RET

an6:
	// h = 6: transpose 6 rows and 2 zero rows 8×8; each column holds
	// 6 values and 2 zeros, of which the 6 values are stored.
	LEAQ (SI)(R8*2), R10
	ADDQ R8, R10

an6loop:
	VBROADCASTSS alpha+40(FP), Y8
	VMULPS  (SI), Y8, Y0
	VMULPS  (SI)(R8*1), Y8, Y1
	VMULPS  (SI)(R8*2), Y8, Y2
	VMULPS  (R10), Y8, Y3
	VMULPS  (R10)(R8*1), Y8, Y4
	VMULPS  (R10)(R8*2), Y8, Y5
	VXORPS  Y6, Y6, Y6
	VXORPS  Y7, Y7, Y7
	TRANSPOSE8
	VEXTRACTF128 $1, Y8, X0
	VEXTRACTF128 $1, Y9, X1
	VEXTRACTF128 $1, Y10, X2
	VEXTRACTF128 $1, Y11, X3
	VEXTRACTF128 $1, Y12, X4
	VEXTRACTF128 $1, Y13, X5
	VEXTRACTF128 $1, Y14, X6
	VEXTRACTF128 $1, Y15, X7
	VMOVUPS X8, 0(DI)
	VMOVQ   X0, 16(DI)
	VMOVUPS X9, 24(DI)
	VMOVQ   X1, 40(DI)
	VMOVUPS X10, 48(DI)
	VMOVQ   X2, 64(DI)
	VMOVUPS X11, 72(DI)
	VMOVQ   X3, 88(DI)
	VMOVUPS X12, 96(DI)
	VMOVQ   X4, 112(DI)
	VMOVUPS X13, 120(DI)
	VMOVQ   X5, 136(DI)
	VMOVUPS X14, 144(DI)
	VMOVQ   X6, 160(DI)
	VMOVUPS X15, 168(DI)
	VMOVQ   X7, 184(DI)
	ADDQ $32, SI
	ADDQ $32, R10
	ADDQ $192, DI
	DECQ CX
	JNZ  an6loop
	VZEROUPPER
	RET

// func gemmPackAT(dst, src *float32, lda, h, kc int, alpha float32)
//
// Packs an h×kc block of a transposed A (h = 4 or 6) as a panel:
// dst[p*h+i] = alpha·src[p*lda+i].
TEXT ·gemmPackAT(SB), NOSPLIT, $0-44
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ lda+16(FP), R8
	SHLQ $2, R8
	MOVQ kc+32(FP), CX
	VBROADCASTSS alpha+40(FP), X15
	MOVQ h+24(FP), DX
	CMPQ DX, $6
	JEQ  at6

at4:
	VMULPS  (SI), X15, X0
	VMOVUPS X0, (DI)
	ADDQ R8, SI
	ADDQ $16, DI
	DECQ CX
	JNZ  at4
	RET

at6:
	VMULPS  (SI), X15, X0
	VMOVQ   16(SI), X1
	VMULPS  X1, X15, X1
	VMOVUPS X0, (DI)
	VMOVQ   X1, 16(DI)
	ADDQ R8, SI
	ADDQ $24, DI
	DECQ CX
	JNZ  at6
	RET

// AVX-512 kernels: a tile of 32 columns made of two consecutive 16-column
// B panels (the second starts kc·16 floats after the first), row i of the
// tile accumulated in Z(2i):Z(2i+1).
#define STEP6Z(aoff, boff) \
	VMOVUPS      (boff)(BX), Z12;       \
	VMOVUPS      (boff)(BX)(R11*1), Z13; \
	VBROADCASTSS (aoff)(AX), Z14;       \
	VFMADD231PS  Z12, Z14, Z0;          \
	VFMADD231PS  Z13, Z14, Z1;          \
	VBROADCASTSS (aoff+4)(AX), Z15;     \
	VFMADD231PS  Z12, Z15, Z2;          \
	VFMADD231PS  Z13, Z15, Z3;          \
	VBROADCASTSS (aoff+8)(AX), Z16;     \
	VFMADD231PS  Z12, Z16, Z4;          \
	VFMADD231PS  Z13, Z16, Z5;          \
	VBROADCASTSS (aoff+12)(AX), Z17;    \
	VFMADD231PS  Z12, Z17, Z6;          \
	VFMADD231PS  Z13, Z17, Z7;          \
	VBROADCASTSS (aoff+16)(AX), Z18;    \
	VFMADD231PS  Z12, Z18, Z8;          \
	VFMADD231PS  Z13, Z18, Z9;          \
	VBROADCASTSS (aoff+20)(AX), Z19;    \
	VFMADD231PS  Z12, Z19, Z10;         \
	VFMADD231PS  Z13, Z19, Z11

#define STEP4Z(aoff, boff) \
	VMOVUPS      (boff)(BX), Z12;       \
	VMOVUPS      (boff)(BX)(R11*1), Z13; \
	VBROADCASTSS (aoff)(AX), Z14;       \
	VFMADD231PS  Z12, Z14, Z0;          \
	VFMADD231PS  Z13, Z14, Z1;          \
	VBROADCASTSS (aoff+4)(AX), Z15;     \
	VFMADD231PS  Z12, Z15, Z2;          \
	VFMADD231PS  Z13, Z15, Z3;          \
	VBROADCASTSS (aoff+8)(AX), Z16;     \
	VFMADD231PS  Z12, Z16, Z4;          \
	VFMADD231PS  Z13, Z16, Z5;          \
	VBROADCASTSS (aoff+12)(AX), Z17;    \
	VFMADD231PS  Z12, Z17, Z6;          \
	VFMADD231PS  Z13, Z17, Z7

#define UPDATEZ(lo, hi, ptr, ptr64) \
	VFMADD231PS ptr, Z31, lo;     \
	VFMADD231PS ptr64, Z31, hi;   \
	VMOVUPS     lo, ptr;          \
	VMOVUPS     hi, ptr64

#define STOREZ(lo, hi, ptr, ptr64) \
	VMOVUPS lo, ptr;       \
	VMOVUPS hi, ptr64

// func gemmKernel6x32(kc int, a, b, c *float32, ldc int, load int, beta float32)
TEXT ·gemmKernel6x32(SB), NOSPLIT, $0-52
	MOVQ kc+0(FP), CX
	MOVQ a+8(FP), AX
	MOVQ b+16(FP), BX
	MOVQ c+24(FP), DI
	MOVQ ldc+32(FP), R8
	SHLQ $2, R8
	MOVQ CX, R11
	SHLQ $6, R11          // bytes from the first B panel to the second
	LEAQ (DI)(R8*2), R10
	ADDQ R8, R10          // R10 = row 3 of C
	PREFETCHT0 (DI)
	PREFETCHT0 64(DI)
	PREFETCHT0 (DI)(R8*1)
	PREFETCHT0 64(DI)(R8*1)
	PREFETCHT0 (DI)(R8*2)
	PREFETCHT0 64(DI)(R8*2)
	PREFETCHT0 (R10)
	PREFETCHT0 64(R10)
	PREFETCHT0 (R10)(R8*1)
	PREFETCHT0 64(R10)(R8*1)
	PREFETCHT0 (R10)(R8*2)
	PREFETCHT0 64(R10)(R8*2)
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	VPXORD Z7, Z7, Z7
	VPXORD Z8, Z8, Z8
	VPXORD Z9, Z9, Z9
	VPXORD Z10, Z10, Z10
	VPXORD Z11, Z11, Z11
	MOVQ CX, DX
	SHRQ $2, DX
	JZ   tail6z

loop6z:
	STEP6Z(0, 0)
	STEP6Z(24, 64)
	STEP6Z(48, 128)
	STEP6Z(72, 192)
	ADDQ $96, AX
	ADDQ $256, BX
	DECQ DX
	JNZ  loop6z

tail6z:
	ANDQ $3, CX
	JZ   store6z

loop6ztail:
	STEP6Z(0, 0)
	ADDQ $24, AX
	ADDQ $64, BX
	DECQ CX
	JNZ  loop6ztail

store6z:
	MOVQ load+40(FP), DX
	TESTQ DX, DX
	JNZ  update6z
	STOREZ(Z0, Z1, (DI), 64(DI))
	STOREZ(Z2, Z3, (DI)(R8*1), 64(DI)(R8*1))
	STOREZ(Z4, Z5, (DI)(R8*2), 64(DI)(R8*2))
	STOREZ(Z6, Z7, (R10), 64(R10))
	STOREZ(Z8, Z9, (R10)(R8*1), 64(R10)(R8*1))
	STOREZ(Z10, Z11, (R10)(R8*2), 64(R10)(R8*2))
	VZEROUPPER
	RET

update6z:
	VBROADCASTSS beta+48(FP), Z31
	UPDATEZ(Z0, Z1, (DI), 64(DI))
	UPDATEZ(Z2, Z3, (DI)(R8*1), 64(DI)(R8*1))
	UPDATEZ(Z4, Z5, (DI)(R8*2), 64(DI)(R8*2))
	UPDATEZ(Z6, Z7, (R10), 64(R10))
	UPDATEZ(Z8, Z9, (R10)(R8*1), 64(R10)(R8*1))
	UPDATEZ(Z10, Z11, (R10)(R8*2), 64(R10)(R8*2))
	VZEROUPPER
	RET

// func gemmKernel4x32(kc int, a, b, c *float32, ldc int, load int, beta float32)
TEXT ·gemmKernel4x32(SB), NOSPLIT, $0-52
	MOVQ kc+0(FP), CX
	MOVQ a+8(FP), AX
	MOVQ b+16(FP), BX
	MOVQ c+24(FP), DI
	MOVQ ldc+32(FP), R8
	SHLQ $2, R8
	MOVQ CX, R11
	SHLQ $6, R11
	LEAQ (DI)(R8*2), R10  // R10 = row 2 of C
	PREFETCHT0 (DI)
	PREFETCHT0 64(DI)
	PREFETCHT0 (DI)(R8*1)
	PREFETCHT0 64(DI)(R8*1)
	PREFETCHT0 (R10)
	PREFETCHT0 64(R10)
	PREFETCHT0 (R10)(R8*1)
	PREFETCHT0 64(R10)(R8*1)
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	VPXORD Z7, Z7, Z7
	MOVQ CX, DX
	SHRQ $2, DX
	JZ   tail4z

loop4z:
	STEP4Z(0, 0)
	STEP4Z(16, 64)
	STEP4Z(32, 128)
	STEP4Z(48, 192)
	ADDQ $64, AX
	ADDQ $256, BX
	DECQ DX
	JNZ  loop4z

tail4z:
	ANDQ $3, CX
	JZ   store4z

loop4ztail:
	STEP4Z(0, 0)
	ADDQ $16, AX
	ADDQ $64, BX
	DECQ CX
	JNZ  loop4ztail

store4z:
	MOVQ load+40(FP), DX
	TESTQ DX, DX
	JNZ  update4z
	STOREZ(Z0, Z1, (DI), 64(DI))
	STOREZ(Z2, Z3, (DI)(R8*1), 64(DI)(R8*1))
	STOREZ(Z4, Z5, (R10), 64(R10))
	STOREZ(Z6, Z7, (R10)(R8*1), 64(R10)(R8*1))
	VZEROUPPER
	RET

update4z:
	VBROADCASTSS beta+48(FP), Z31
	UPDATEZ(Z0, Z1, (DI), 64(DI))
	UPDATEZ(Z2, Z3, (DI)(R8*1), 64(DI)(R8*1))
	UPDATEZ(Z4, Z5, (R10), 64(R10))
	UPDATEZ(Z6, Z7, (R10)(R8*1), 64(R10)(R8*1))
	VZEROUPPER
	RET

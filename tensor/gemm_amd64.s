//go:build amd64 && !purego

#include "textflag.h"

// func cpuid(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)
TEXT ·cpuid(SB), NOSPLIT, $0-24
	MOVL eaxArg+0(FP), AX
	MOVL ecxArg+4(FP), CX
	CPUID
	MOVL AX, eax+8(FP)
	MOVL BX, ebx+12(FP)
	MOVL CX, ecx+16(FP)
	MOVL DX, edx+20(FP)
	RET

// func xgetbv() (eax, edx uint32)
TEXT ·xgetbv(SB), NOSPLIT, $0-8
	MOVL $0, CX
	XGETBV
	MOVL AX, eax+0(FP)
	MOVL DX, edx+4(FP)
	RET

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

//go:build amd64 && !purego

// Kernels of the event-driven layers (see spike_kernels.go for what they
// compute and asm_amd64.go for their signatures): the scan of a binary
// row into the positions of its ones (AVX2, and AVX-512 where available);
// the gather and scatter of matrix rows named by such lists, the taps of
// a convolution, row additions and an 8×8 transpose (AVX2). Every index
// read from a list is checked against the bounds its caller gives.

#include "textflag.h"

// SCANSETUP loads the arguments shared by both scans: SI x, CX n, DI idx,
// R8 the table, R10 the piece length, R11 cuts, R12 the number of cuts to
// write, R13 the position of the next cut (beyond n when there is none),
// BX = 0 the position.
#define SCANSETUP \
	MOVQ  x+0(FP), SI;        \
	MOVQ  n+8(FP), CX;        \
	MOVQ  idx+16(FP), DI;     \
	MOVQ  t+32(FP), R8;       \
	MOVQ  piece+40(FP), R10;  \
	MOVQ  cuts+48(FP), R11;   \
	MOVQ  ncuts+56(FP), R12;  \
	MOVQ  R10, R13;           \
	TESTQ R12, R12;           \
	JNZ   2(PC);              \
	LEAQ  1(CX), R13;         \
	XORQ  BX, BX

// SCANCUT ends a piece: at a cut position, it stores the number of ones
// so far and moves to the next cut, then continues at again while BX < n.
#define SCANCUT(again, done) \
	TESTQ R12, R12;     \
	JZ    done;         \
	CMPQ  BX, R13;      \
	JNE   done;         \
	MOVQ  DI, AX;         \
	SUBQ  idx+16(FP), AX; \
	SHRQ  $2, AX;         \
	MOVL  AX, (R11);    \
	ADDQ  $4, R11;      \
	ADDQ  R10, R13;     \
	DECQ  R12;          \
	JNZ   2(PC);        \
	LEAQ  1(CX), R13;   \
	CMPQ  BX, CX;       \
	JLT   again;        \
	JMP   done

// ENT loads the byte offset in w of the row named by the list entry at
// ptr into reg, or leaves the kernel when the row is outside [0, bound).
#define ENT(ptr, reg) \
	MOVLQSX (ptr), reg;        \
	CMPQ    reg, bound+32(FP); \
	JAE     gbad;              \
	IMULQ   ldw+24(FP), reg

// ADD4, ADD2 and ADD1 add the 32, 16 or 8 floats of w at byte offset reg
// to the accumulators.
#define ADD4(reg, a0, a1, a2, a3) \
	VADDPS (SI)(reg*1), a0, a0;   \
	VADDPS 32(SI)(reg*1), a1, a1; \
	VADDPS 64(SI)(reg*1), a2, a2; \
	VADDPS 96(SI)(reg*1), a3, a3

#define ADD2(reg, a0, a1) \
	VADDPS (SI)(reg*1), a0, a0; \
	VADDPS 32(SI)(reg*1), a1, a1

#define ADD1(reg, a0) \
	VADDPS (SI)(reg*1), a0, a0

// LIST loads the list of the block R13 points at in ptr as a pointer to
// its first entry (cur) and past its last (end), and moves R13 to the
// next block; it leaves the kernel when the block lies outside idx.
#define LIST(cur, end) \
	MOVLQSX (R13), cur;        \
	MOVLQSX 4(R13), end;       \
	CMPQ    cur, nidx+40(FP);  \
	JA      gbadlist;          \
	CMPQ    end, nidx+40(FP);  \
	JA      gbadlist;          \
	LEAQ    (R11)(cur*4), cur; \
	LEAQ    (R11)(end*4), end; \
	ADDQ    $4, R13

// ROWSTART points R13 at the row's blocks in ptr, BX at its number of
// blocks, and R10 at where the row's sum starts: init, the dst row
// itself, or nowhere (zero), as from says (0: zero, 1: init, 2: dst).
#define ROWSTART \
	MOVQ  R12, R13;          \
	MOVQ  blocks+80(FP), BX; \
	MOVQ  init+48(FP), R10;  \
	CMPQ  from+104(FP), $2;  \
	JNE   2(PC);             \
	MOVQ  DI, R10;           \
	TESTQ R10, R10

// NEXTROW moves dst and ptr to the next row and loops to label while
// rows are left.
#define NEXTROW(label) \
	ADDQ ldd+8(FP), DI;  \
	ADDQ ps+72(FP), R12; \
	DECQ CX;             \
	JNZ  label

// SROW loads the byte offset of dst's row named by the list entry k
// entries past AX into reg, or leaves the kernel when the row is outside
// [0, bound).
#define SROW(k, reg) \
	MOVLQSX k*4(AX), reg;      \
	CMPQ    reg, bound+16(FP); \
	JAE     sbad;              \
	IMULQ   R8, reg

// SNEXT moves to the next row of src and its list, and loops to label
// while rows are left.
#define SNEXT(label) \
	ADDQ R9, SI;         \
	ADDQ ps+64(FP), R12; \
	ADDQ ps+64(FP), R13; \
	DECQ CX;             \
	JNZ  label;          \
	JMP  sdone

// SLIST loads the row's list as a pointer to its first entry (AX) and
// past its last (DX).
#define SLIST \
	MOVLQSX (R12), AX;       \
	MOVLQSX (R13), DX;       \
	LEAQ    (R11)(AX*4), AX; \
	LEAQ    (R11)(DX*4), DX

// TAP4, TAP2 and TAP1 add the 32, 16 or 8 floats at R14 to the row of
// dst at DI + AX.
#define TAP4 \
	VMOVUPS (R14), Y0;            \
	VMOVUPS 32(R14), Y1;          \
	VMOVUPS 64(R14), Y2;          \
	VMOVUPS 96(R14), Y3;          \
	VADDPS  (DI)(AX*1), Y0, Y0;   \
	VADDPS  32(DI)(AX*1), Y1, Y1; \
	VADDPS  64(DI)(AX*1), Y2, Y2; \
	VADDPS  96(DI)(AX*1), Y3, Y3; \
	VMOVUPS Y0, (DI)(AX*1);       \
	VMOVUPS Y1, 32(DI)(AX*1);     \
	VMOVUPS Y2, 64(DI)(AX*1);     \
	VMOVUPS Y3, 96(DI)(AX*1)

#define TAP2 \
	VMOVUPS (R14), Y0;            \
	VMOVUPS 32(R14), Y1;          \
	VADDPS  (DI)(AX*1), Y0, Y0;   \
	VADDPS  32(DI)(AX*1), Y1, Y1; \
	VMOVUPS Y0, (DI)(AX*1);       \
	VMOVUPS Y1, 32(DI)(AX*1)

#define TAP1 \
	VMOVUPS (R14), Y0;          \
	VADDPS  (DI)(AX*1), Y0, Y0; \
	VMOVUPS Y0, (DI)(AX*1)

// TAPROW loads into AX the byte offset of the dst row that tap BX of the
// position at R13 reaches, leaving the kernel when the row is outside
// [0, bound).
#define TAPROW \
	MOVLQSX (R13)(BX*4), AX; \
	MOVLQSX (R10)(BX*4), DX; \
	ADDQ    DX, AX;          \
	CMPQ    AX, bound+8(FP); \
	JAE     tbad;            \
	IMULQ   R8, AX

// TAPPOS starts the taps of the position at R11: R13 its entries of
// reach, BX the tap, R14 the tap's row of src.
#define TAPPOS \
	MOVLQSX (R11), AX;       \
	IMULQ   R12, AX;         \
	LEAQ    (R9)(AX*4), R13; \
	XORQ    BX, BX;          \
	MOVQ    SI, R14

// func spikeScanAVX2(x *float32, n int, idx *int32, base int32, t *leftPackTable, piece int, cuts *int32, ncuts int) int
//
// Eight floats at a time: the mask of lanes equal to 1 selects, in t, the
// lanes of its set bits (8 bytes) and their number; those lanes plus the
// position of the first of the eight are stored as eight int32 (the ones
// first), and the output advances by the number of ones.
TEXT ·spikeScanAVX2(SB), NOSPLIT, $0-72
	SCANSETUP
	MOVL base+24(FP), AX
	VMOVD AX, X13
	VPBROADCASTD X13, Y13 // position of lane 0
	MOVL $8, AX
	VMOVD AX, X12
	VPBROADCASTD X12, Y12
	MOVL $0x3f800000, AX  // 1.0
	VMOVD AX, X15
	VBROADCASTSS X15, Y15
	VXORPS Y14, Y14, Y14
	CMPQ BX, CX
	JGE  s2done

s2piece:
	MOVQ    R13, R14 // end of this piece: min(next cut, n)
	CMPQ    R14, CX
	CMOVQGT CX, R14
	LEAQ    -8(R14), R9 // two blocks of 8 fit while BX < R9
	CMPQ    BX, R9
	JGE     s2one

s2pair:
	VMOVUPS   (SI)(BX*4), Y0
	VMOVUPS   32(SI)(BX*4), Y4
	VCMPPS    $0, Y14, Y0, Y1 // x == 0
	VCMPPS    $0, Y15, Y0, Y2 // x == 1
	VCMPPS    $0, Y14, Y4, Y5
	VCMPPS    $0, Y15, Y4, Y6
	VORPS     Y1, Y2, Y1
	VORPS     Y5, Y6, Y5
	VANDPS    Y1, Y5, Y1
	VMOVMSKPS Y1, DX
	CMPL      DX, $0xff
	JNE       s2fail
	VMOVMSKPS Y2, DX
	VPMOVZXBD (R8)(DX*8), Y3
	VPADDD    Y13, Y3, Y3
	VMOVDQU   Y3, (DI)
	MOVBLZX   2048(R8)(DX*1), AX
	LEAQ      (DI)(AX*4), DI
	VPADDD    Y12, Y13, Y13
	VMOVMSKPS Y6, DX
	VPMOVZXBD (R8)(DX*8), Y7
	VPADDD    Y13, Y7, Y7
	VMOVDQU   Y7, (DI)
	MOVBLZX   2048(R8)(DX*1), AX
	LEAQ      (DI)(AX*4), DI
	VPADDD    Y12, Y13, Y13
	ADDQ      $16, BX
	CMPQ      BX, R9
	JLT       s2pair

s2one:
	CMPQ      BX, R14
	JGE       s2cut
	VMOVUPS   (SI)(BX*4), Y0
	VCMPPS    $0, Y14, Y0, Y1
	VCMPPS    $0, Y15, Y0, Y2
	VORPS     Y1, Y2, Y1
	VMOVMSKPS Y1, DX
	CMPL      DX, $0xff
	JNE       s2fail
	VMOVMSKPS Y2, DX
	VPMOVZXBD (R8)(DX*8), Y3
	VPADDD    Y13, Y3, Y3
	VMOVDQU   Y3, (DI)
	MOVBLZX   2048(R8)(DX*1), AX
	LEAQ      (DI)(AX*4), DI
	VPADDD    Y12, Y13, Y13
	ADDQ      $8, BX

s2cut:
	SCANCUT(s2piece, s2done)

s2done:
	SUBQ idx+16(FP), DI
	SHRQ $2, DI
	MOVQ DI, ret+64(FP)
	VZEROUPPER
	RET

s2fail:
	MOVQ $-1, ret+64(FP)
	VZEROUPPER
	RET

// func spikeScanAVX512(x *float32, n int, idx *int32, base int32, t *leftPackTable, piece int, cuts *int32, ncuts int) int
//
// spikeScanAVX2 sixteen floats at a time, with masks: the positions of
// the ones are packed by VPCOMPRESSD into a register and stored whole
// (sixteen int32). A piece whose length is not a multiple of 16 ends with
// eight floats under a mask. t is unused.
TEXT ·spikeScanAVX512(SB), NOSPLIT, $0-72
	SCANSETUP
	MOVL base+24(FP), AX
	VPBROADCASTD AX, Z13
	VPADDD ·iota16(SB), Z13, Z13 // positions of the 16 lanes
	MOVL $16, AX
	VPBROADCASTD AX, Z12
	MOVL $8, AX
	VPBROADCASTD AX, Z11
	MOVL $0xff, AX
	KMOVW AX, K7
	MOVL $0x3f800000, AX
	VPBROADCASTD AX, Z15  // 1.0
	VPXORD Z14, Z14, Z14
	CMPQ BX, CX
	JGE  s5done

s5piece:
	MOVQ    R13, R14
	CMPQ    R14, CX
	CMOVQGT CX, R14
	LEAQ    -31(R14), R9 // 32 floats are left while BX < R9
	CMPQ    BX, R9
	JGE     s5one

s5pair:
	VMOVUPS     (SI)(BX*4), Z0
	VMOVUPS     64(SI)(BX*4), Z1
	VCMPPS      $0, Z15, Z0, K1 // x == 1
	VCMPPS      $0, Z15, Z1, K4
	VCMPPS      $4, Z14, Z0, K2 // x != 0 (or NaN)
	VCMPPS      $4, Z14, Z1, K5
	KANDNW      K2, K1, K3      // neither 0 nor 1
	KANDNW      K5, K4, K6
	KORTESTW    K3, K6
	JNZ         s5fail
	VPCOMPRESSD Z13, K1, Z2
	VMOVDQU32   Z2, (DI)
	KMOVW       K1, AX
	POPCNTL     AX, AX
	LEAQ        (DI)(AX*4), DI
	VPADDD      Z12, Z13, Z13
	VPCOMPRESSD Z13, K4, Z3
	VMOVDQU32   Z3, (DI)
	KMOVW       K4, AX
	POPCNTL     AX, AX
	LEAQ        (DI)(AX*4), DI
	VPADDD      Z12, Z13, Z13
	ADDQ        $32, BX
	CMPQ        BX, R9
	JLT         s5pair

s5one:
	LEAQ        -15(R14), R9
	CMPQ        BX, R9
	JGE         s5half
	VMOVUPS     (SI)(BX*4), Z0
	VCMPPS      $0, Z15, Z0, K1
	VCMPPS      $4, Z14, Z0, K2
	KANDNW      K2, K1, K3
	KORTESTW    K3, K3
	JNZ         s5fail
	VPCOMPRESSD Z13, K1, Z2
	VMOVDQU32   Z2, (DI)
	KMOVW       K1, AX
	POPCNTL     AX, AX
	LEAQ        (DI)(AX*4), DI
	VPADDD      Z12, Z13, Z13
	ADDQ        $16, BX

s5half:
	// Eight floats are left before the cut (lanes 0-7 under K7).
	CMPQ        BX, R14
	JGE         s5cut
	VMOVUPS.Z   (SI)(BX*4), K7, Z0
	VCMPPS      $0, Z15, Z0, K7, K1
	VCMPPS      $4, Z14, Z0, K7, K2
	KANDNW      K2, K1, K3
	KORTESTW    K3, K3
	JNZ         s5fail
	VPCOMPRESSD Z13, K1, Z2
	VMOVDQU32   Z2, (DI)
	KMOVW       K1, AX
	POPCNTL     AX, AX
	LEAQ        (DI)(AX*4), DI
	VPADDD      Z11, Z13, Z13
	ADDQ        $8, BX

s5cut:
	SCANCUT(s5piece, s5done)

s5done:
	SUBQ idx+16(FP), DI
	SHRQ $2, DI
	MOVQ DI, ret+64(FP)
	VZEROUPPER
	RET

s5fail:
	MOVQ $-1, ret+64(FP)
	VZEROUPPER
	RET

DATA ·iota16+0(SB)/4, $0
DATA ·iota16+4(SB)/4, $1
DATA ·iota16+8(SB)/4, $2
DATA ·iota16+12(SB)/4, $3
DATA ·iota16+16(SB)/4, $4
DATA ·iota16+20(SB)/4, $5
DATA ·iota16+24(SB)/4, $6
DATA ·iota16+28(SB)/4, $7
DATA ·iota16+32(SB)/4, $8
DATA ·iota16+36(SB)/4, $9
DATA ·iota16+40(SB)/4, $10
DATA ·iota16+44(SB)/4, $11
DATA ·iota16+48(SB)/4, $12
DATA ·iota16+52(SB)/4, $13
DATA ·iota16+56(SB)/4, $14
DATA ·iota16+60(SB)/4, $15
GLOBL ·iota16(SB), RODATA, $64

// func spikeGatherAVX2(dst *float32, ldd int, w *float32, ldw int, bound, nidx int, init *float32, idx, ptr *int32, ps, blocks, n, lanes, from int) int
//
// Row r: acc = the start (see ROWSTART); for every block b, P = the sum
// of its entries' rows of w added one after the other from zero, then
// acc += P. Blocks go in pairs whose two sums are independent chains of
// additions, interleaved; acc receives them in order. Block b of row r
// lists the entries [ptr[r·ps + b], ptr[r·ps + b + 1]). Registers:
// DI the dst row, SI w, R11 idx, R12 the row's blocks in ptr, R13 the
// current block's, CX rows left, BX blocks left, AX/DX the current entry
// and end of block b, R8/R9 those of block b+1, R14 and R10 row offsets
// in w. ldd, ldw and ps are turned into bytes in their argument slots. Returns 1, having stopped, when an entry is outside [0, bound),
// 2 when a block is outside [0, nidx), else 0.
TEXT ·spikeGatherAVX2(SB), NOSPLIT, $0-120
	MOVQ dst+0(FP), DI
	SHLQ $2, ldd+8(FP)
	MOVQ w+16(FP), SI
	SHLQ $2, ldw+24(FP)
	MOVQ idx+56(FP), R11
	MOVQ ptr+64(FP), R12
	SHLQ $2, ps+72(FP)
	MOVQ n+88(FP), CX
	MOVQ $0, ret+112(FP)
	TESTQ CX, CX
	JLE  gdone
	MOVQ lanes+96(FP), AX
	CMPQ AX, $4
	JEQ  row4
	CMPQ AX, $2
	JEQ  row2
	JMP  row1

	// ---- 32 columns: acc Y0-Y3, P Y4-Y7 and Y8-Y11.
row4:
	ROWSTART
	JZ      zero4
	VMOVUPS (R10), Y0
	VMOVUPS 32(R10), Y1
	VMOVUPS 64(R10), Y2
	VMOVUPS 96(R10), Y3
	JMP     pair4

zero4:
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3

pair4:
	CMPQ   BX, $2
	JLT    single4
	LIST(AX, DX)
	LIST(R8, R9)
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
	VXORPS Y10, Y10, Y10
	VXORPS Y11, Y11, Y11

joint4:
	CMPQ AX, DX
	JGE  restb4
	CMPQ R8, R9
	JGE  resta4
	ENT(AX, R14)
	ENT(R8, R10)
	ADD4(R14, Y4, Y5, Y6, Y7)
	ADD4(R10, Y8, Y9, Y10, Y11)
	ADDQ $4, AX
	ADDQ $4, R8
	JMP  joint4

resta4:
	CMPQ AX, DX
	JGE  sumpair4
	ENT(AX, R14)
	ADD4(R14, Y4, Y5, Y6, Y7)
	ADDQ $4, AX
	JMP  resta4

restb4:
	CMPQ R8, R9
	JGE  sumpair4
	ENT(R8, R10)
	ADD4(R10, Y8, Y9, Y10, Y11)
	ADDQ $4, R8
	JMP  restb4

sumpair4:
	VADDPS Y4, Y0, Y0
	VADDPS Y5, Y1, Y1
	VADDPS Y6, Y2, Y2
	VADDPS Y7, Y3, Y3
	VADDPS Y8, Y0, Y0
	VADDPS Y9, Y1, Y1
	VADDPS Y10, Y2, Y2
	VADDPS Y11, Y3, Y3
	SUBQ   $2, BX
	JMP    pair4

single4:
	TESTQ  BX, BX
	JZ     store4
	LIST(AX, DX)
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7

sloop4:
	CMPQ AX, DX
	JGE  ssum4
	ENT(AX, R14)
	ADD4(R14, Y4, Y5, Y6, Y7)
	ADDQ $4, AX
	JMP  sloop4

ssum4:
	VADDPS Y4, Y0, Y0
	VADDPS Y5, Y1, Y1
	VADDPS Y6, Y2, Y2
	VADDPS Y7, Y3, Y3

store4:
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	NEXTROW(row4)
	JMP     gdone

	// ---- 16 columns: acc Y0-Y1, P Y4-Y5 and Y8-Y9.
row2:
	ROWSTART
	JZ      zero2
	VMOVUPS (R10), Y0
	VMOVUPS 32(R10), Y1
	JMP     pair2

zero2:
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1

pair2:
	CMPQ   BX, $2
	JLT    single2
	LIST(AX, DX)
	LIST(R8, R9)
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9

joint2:
	CMPQ AX, DX
	JGE  restb2
	CMPQ R8, R9
	JGE  resta2
	ENT(AX, R14)
	ENT(R8, R10)
	ADD2(R14, Y4, Y5)
	ADD2(R10, Y8, Y9)
	ADDQ $4, AX
	ADDQ $4, R8
	JMP  joint2

resta2:
	CMPQ AX, DX
	JGE  sumpair2
	ENT(AX, R14)
	ADD2(R14, Y4, Y5)
	ADDQ $4, AX
	JMP  resta2

restb2:
	CMPQ R8, R9
	JGE  sumpair2
	ENT(R8, R10)
	ADD2(R10, Y8, Y9)
	ADDQ $4, R8
	JMP  restb2

sumpair2:
	VADDPS Y4, Y0, Y0
	VADDPS Y5, Y1, Y1
	VADDPS Y8, Y0, Y0
	VADDPS Y9, Y1, Y1
	SUBQ   $2, BX
	JMP    pair2

single2:
	TESTQ  BX, BX
	JZ     store2
	LIST(AX, DX)
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5

sloop2:
	CMPQ AX, DX
	JGE  ssum2
	ENT(AX, R14)
	ADD2(R14, Y4, Y5)
	ADDQ $4, AX
	JMP  sloop2

ssum2:
	VADDPS Y4, Y0, Y0
	VADDPS Y5, Y1, Y1

store2:
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	NEXTROW(row2)
	JMP     gdone

	// ---- 8 columns: acc Y0, P Y4 and Y8.
row1:
	ROWSTART
	JZ      zero1
	VMOVUPS (R10), Y0
	JMP     pair1

zero1:
	VXORPS Y0, Y0, Y0

pair1:
	CMPQ   BX, $2
	JLT    single1
	LIST(AX, DX)
	LIST(R8, R9)
	VXORPS Y4, Y4, Y4
	VXORPS Y8, Y8, Y8

joint1:
	CMPQ AX, DX
	JGE  restb1
	CMPQ R8, R9
	JGE  resta1
	ENT(AX, R14)
	ENT(R8, R10)
	ADD1(R14, Y4)
	ADD1(R10, Y8)
	ADDQ $4, AX
	ADDQ $4, R8
	JMP  joint1

resta1:
	CMPQ AX, DX
	JGE  sumpair1
	ENT(AX, R14)
	ADD1(R14, Y4)
	ADDQ $4, AX
	JMP  resta1

restb1:
	CMPQ R8, R9
	JGE  sumpair1
	ENT(R8, R10)
	ADD1(R10, Y8)
	ADDQ $4, R8
	JMP  restb1

sumpair1:
	VADDPS Y4, Y0, Y0
	VADDPS Y8, Y0, Y0
	SUBQ   $2, BX
	JMP    pair1

single1:
	TESTQ  BX, BX
	JZ     store1
	LIST(AX, DX)
	VXORPS Y4, Y4, Y4

sloop1:
	CMPQ AX, DX
	JGE  ssum1
	ENT(AX, R14)
	ADD1(R14, Y4)
	ADDQ $4, AX
	JMP  sloop1

ssum1:
	VADDPS Y4, Y0, Y0

store1:
	VMOVUPS Y0, (DI)
	NEXTROW(row1)

gdone:
	VZEROUPPER
	RET

gbad:
	MOVQ $1, ret+112(FP)
	VZEROUPPER
	RET

gbadlist:
	MOVQ $2, ret+112(FP)
	VZEROUPPER
	RET

// func spikeScatterAVX2(dst *float32, ldd int, bound int, src *float32, lds int, idx, beg, end *int32, ps, n, lanes int) int
//
// For each row r, in order, row r of src (8·lanes floats, in registers)
// is added to every row idx[q] of dst, q in [beg[r·ps], end[r·ps]), one
// after the other. Registers: R8 ldd in bytes, SI the row of src, R9 lds
// in bytes, R11 idx, R12/R13 the row's beg and end, CX rows left, AX the
// current entry, DX the end of the list, R14 the row offset in dst, DI
// dst. Returns 1, having stopped, when an entry is outside [0, bound),
// else 0.
TEXT ·spikeScatterAVX2(SB), NOSPLIT, $0-96
	MOVQ dst+0(FP), DI
	MOVQ ldd+8(FP), R8
	SHLQ $2, R8
	MOVQ src+24(FP), SI
	MOVQ lds+32(FP), R9
	SHLQ $2, R9
	MOVQ idx+40(FP), R11
	MOVQ beg+48(FP), R12
	MOVQ end+56(FP), R13
	SHLQ $2, ps+64(FP)
	MOVQ n+72(FP), CX
	MOVQ lanes+80(FP), AX
	MOVQ $0, ret+88(FP)
	TESTQ CX, CX
	JLE  sdone
	CMPQ AX, $4
	JEQ  srow4
	CMPQ AX, $2
	JEQ  srow2
	JMP  srow1

srow4:
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS 64(SI), Y2
	VMOVUPS 96(SI), Y3
	SLIST

s4:
	CMPQ    AX, DX
	JGE     s4end
	SROW(0, R14)
	VADDPS  (DI)(R14*1), Y0, Y4
	VADDPS  32(DI)(R14*1), Y1, Y5
	VADDPS  64(DI)(R14*1), Y2, Y6
	VADDPS  96(DI)(R14*1), Y3, Y7
	VMOVUPS Y4, (DI)(R14*1)
	VMOVUPS Y5, 32(DI)(R14*1)
	VMOVUPS Y6, 64(DI)(R14*1)
	VMOVUPS Y7, 96(DI)(R14*1)
	ADDQ    $4, AX
	JMP     s4

s4end:
	SNEXT(srow4)

srow2:
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	SLIST

s2:
	CMPQ    AX, DX
	JGE     s2end
	SROW(0, R14)
	VADDPS  (DI)(R14*1), Y0, Y4
	VADDPS  32(DI)(R14*1), Y1, Y5
	VMOVUPS Y4, (DI)(R14*1)
	VMOVUPS Y5, 32(DI)(R14*1)
	ADDQ    $4, AX
	JMP     s2

s2end:
	SNEXT(srow2)

srow1:
	VMOVUPS (SI), Y0
	SLIST

s1:
	CMPQ    AX, DX
	JGE     s1end
	SROW(0, R14)
	VADDPS  (DI)(R14*1), Y0, Y4
	VMOVUPS Y4, (DI)(R14*1)
	ADDQ    $4, AX
	JMP     s1

s1end:
	SNEXT(srow1)

sdone:
	VZEROUPPER
	RET

sbad:
	MOVQ $1, ret+88(FP)
	VZEROUPPER
	RET

// func transpose8AVX2(dst *float32, ldd int, src *float32, lds int, rows, cols int)
//
// dst[j·ldd + i] = src[i·lds + j] for i < rows and j < cols, both
// multiples of 8, one 8×8 block at a time: eight rows loaded, transposed
// in registers (unpack, shuffle, swap of 128-bit halves), stored as eight
// rows. Registers: SI/DI the block's first row in src/dst, R8/R9 lds/ldd
// in bytes, R10/R11 three rows further, CX/DX the block's row and
// column, AX/BX the block's corner in src/dst.
TEXT ·transpose8AVX2(SB), NOSPLIT, $0-48
	MOVQ dst+0(FP), BX
	MOVQ ldd+8(FP), R9
	SHLQ $2, R9
	MOVQ src+16(FP), AX
	MOVQ lds+24(FP), R8
	SHLQ $2, R8
	XORQ CX, CX

trow:
	CMPQ CX, rows+32(FP)
	JGE  tdone
	XORQ DX, DX

tcol:
	CMPQ DX, cols+40(FP)
	JGE  tnext
	// src block at AX + CX·lds + DX·4, dst block at BX + DX·ldd + CX·4.
	MOVQ CX, SI
	IMULQ R8, SI
	LEAQ (AX)(SI*1), SI
	LEAQ (SI)(DX*4), SI
	LEAQ (SI)(R8*2), R10
	ADDQ R8, R10 // row 3
	VMOVUPS (SI), Y0
	VMOVUPS (SI)(R8*1), Y1
	VMOVUPS (SI)(R8*2), Y2
	VMOVUPS (R10), Y3
	VMOVUPS (R10)(R8*1), Y4
	VMOVUPS (R10)(R8*2), Y5
	LEAQ (R10)(R8*2), R10
	VMOVUPS (R10)(R8*1), Y6
	LEAQ (R10)(R8*2), R10
	VMOVUPS (R10), Y7
	VUNPCKLPS Y1, Y0, Y8
	VUNPCKHPS Y1, Y0, Y9
	VUNPCKLPS Y3, Y2, Y10
	VUNPCKHPS Y3, Y2, Y11
	VUNPCKLPS Y5, Y4, Y12
	VUNPCKHPS Y5, Y4, Y13
	VUNPCKLPS Y7, Y6, Y14
	VUNPCKHPS Y7, Y6, Y15
	VSHUFPS $0x44, Y10, Y8, Y0
	VSHUFPS $0xEE, Y10, Y8, Y1
	VSHUFPS $0x44, Y11, Y9, Y2
	VSHUFPS $0xEE, Y11, Y9, Y3
	VSHUFPS $0x44, Y14, Y12, Y4
	VSHUFPS $0xEE, Y14, Y12, Y5
	VSHUFPS $0x44, Y15, Y13, Y6
	VSHUFPS $0xEE, Y15, Y13, Y7
	VPERM2F128 $0x20, Y4, Y0, Y8
	VPERM2F128 $0x20, Y5, Y1, Y9
	VPERM2F128 $0x20, Y6, Y2, Y10
	VPERM2F128 $0x20, Y7, Y3, Y11
	VPERM2F128 $0x31, Y4, Y0, Y12
	VPERM2F128 $0x31, Y5, Y1, Y13
	VPERM2F128 $0x31, Y6, Y2, Y14
	VPERM2F128 $0x31, Y7, Y3, Y15
	MOVQ DX, DI
	IMULQ R9, DI
	LEAQ (BX)(DI*1), DI
	LEAQ (DI)(CX*4), DI
	LEAQ (DI)(R9*2), R11
	ADDQ R9, R11 // row 3
	VMOVUPS Y8, (DI)
	VMOVUPS Y9, (DI)(R9*1)
	VMOVUPS Y10, (DI)(R9*2)
	VMOVUPS Y11, (R11)
	VMOVUPS Y12, (R11)(R9*1)
	VMOVUPS Y13, (R11)(R9*2)
	LEAQ (R11)(R9*2), R11
	VMOVUPS Y14, (R11)(R9*1)
	LEAQ (R11)(R9*2), R11
	VMOVUPS Y15, (R11)
	ADDQ $8, DX
	JMP  tcol

tnext:
	ADDQ $8, CX
	JMP  trow

tdone:
	VZEROUPPER
	RET

// func spikeTapsAVX2(dst *float32, bound int, src *float32, ld int, reach, tapRow, pos *int32, npos, kk, lanes int) int
//
// For every p in pos[:npos] in order and every tap t < kk in order, row
// reach[p·kk + t] + tapRow[t] of dst (rows of ld floats) += row t of src,
// 8·lanes floats. Returns 1, having stopped, when a row is outside [0,
// bound), else 0. Registers: DI dst, SI src, R8 ld in bytes, R9 reach,
// R10 tapRow, R11 the position, CX positions left, R12 kk, R13 the
// position's entries of reach, BX the tap, R14 its row of src.
TEXT ·spikeTapsAVX2(SB), NOSPLIT, $0-88
	MOVQ dst+0(FP), DI
	MOVQ src+16(FP), SI
	MOVQ ld+24(FP), R8
	SHLQ $2, R8
	MOVQ reach+32(FP), R9
	MOVQ tapRow+40(FP), R10
	MOVQ pos+48(FP), R11
	MOVQ npos+56(FP), CX
	MOVQ kk+64(FP), R12
	MOVQ $0, ret+80(FP)
	TESTQ CX, CX
	JLE  tdone2
	TESTQ R12, R12
	JLE  tdone2
	MOVQ lanes+72(FP), AX
	CMPQ AX, $4
	JEQ  tp4
	CMPQ AX, $2
	JEQ  tp2
	JMP  tp1

tp4:
	TAPPOS

tt4:
	TAPROW
	TAP4
	ADDQ R8, R14
	INCQ BX
	CMPQ BX, R12
	JLT  tt4
	ADDQ $4, R11
	DECQ CX
	JNZ  tp4
	JMP  tdone2

tp2:
	TAPPOS

tt2:
	TAPROW
	TAP2
	ADDQ R8, R14
	INCQ BX
	CMPQ BX, R12
	JLT  tt2
	ADDQ $4, R11
	DECQ CX
	JNZ  tp2
	JMP  tdone2

tp1:
	TAPPOS

tt1:
	TAPROW
	TAP1
	ADDQ R8, R14
	INCQ BX
	CMPQ BX, R12
	JLT  tt1
	ADDQ $4, R11
	DECQ CX
	JNZ  tp1

tdone2:
	VZEROUPPER
	RET

tbad:
	MOVQ $1, ret+80(FP)
	VZEROUPPER
	RET

// func addRowsAVX2(dst *float32, src *float32, lds, rows, width int)
//
// dst[r·width + j] += src[r·lds + j] for r < rows and j < width, a
// multiple of 8 (lds = 0 adds the same row to every row).
TEXT ·addRowsAVX2(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ lds+16(FP), R8
	SHLQ $2, R8
	MOVQ rows+24(FP), CX
	MOVQ width+32(FP), DX
	TESTQ CX, CX
	JLE  adone

arow:
	XORQ BX, BX

acol:
	CMPQ    BX, DX
	JGE     anext
	VMOVUPS (DI)(BX*4), Y0
	VADDPS  (SI)(BX*4), Y0, Y0
	VMOVUPS Y0, (DI)(BX*4)
	ADDQ    $8, BX
	JMP     acol

anext:
	LEAQ (DI)(DX*4), DI
	ADDQ R8, SI
	DECQ CX
	JNZ  arow

adone:
	VZEROUPPER
	RET

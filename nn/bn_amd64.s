//go:build amd64 && !purego

// AVX2 kernels of batch normalisation (see bn_kernels.go for what they
// compute and bn_amd64.go for their signatures). Every kernel walks runs
// runs of n floats, run r starting stride floats after run r-1.

#include "textflag.h"

// REDUCE8 sums the eight float64 partial sums lo (p0..p3) and hi
// (p4..p7) as ((p0+p4) + (p2+p6)) + ((p1+p5) + (p3+p7)) into the low
// lane of lo's X register; t is scratch.
#define REDUCE8(lo, hi, xlo, t) \
	VADDPD       hi, lo, lo;  \
	VEXTRACTF128 $1, lo, t;   \
	VADDPD       t, xlo, xlo; \
	VUNPCKHPD    xlo, xlo, t; \
	VADDSD       t, xlo, xlo

// func bnMomentsAVX2(x *float32, n, runs, stride int, shift float64) (s1, s2 float64)
TEXT ·bnMomentsAVX2(SB), NOSPLIT, $0-56
	MOVQ x+0(FP), SI
	MOVQ n+8(FP), CX
	MOVQ runs+16(FP), DX
	MOVQ stride+24(FP), R8
	SHLQ $2, R8
	VBROADCASTSD shift+32(FP), Y15
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	MOVQ CX, R9
	ANDQ $-8, R9
	TESTQ DX, DX
	JLE   mdone
	MOVQ SI, R10
	MOVQ DX, R11

mrun:
	XORQ BX, BX
	LEAQ (R10)(R8*2), R13   // two runs ahead, prefetched
	CMPQ BX, R9
	JGE  mrunend

mvec:
	PREFETCHT0 (R13)(BX*4)
	VCVTPS2PD (R10)(BX*4), Y4
	VCVTPS2PD 16(R10)(BX*4), Y5
	VSUBPD    Y15, Y4, Y4
	VSUBPD    Y15, Y5, Y5
	VADDPD    Y4, Y0, Y0
	VADDPD    Y5, Y1, Y1
	VMULPD    Y4, Y4, Y4
	VMULPD    Y5, Y5, Y5
	VADDPD    Y4, Y2, Y2
	VADDPD    Y5, Y3, Y3
	ADDQ      $8, BX
	CMPQ      BX, R9
	JLT       mvec

mrunend:
	ADDQ R8, R10
	DECQ R11
	JNZ  mrun

	REDUCE8(Y0, Y1, X0, X6)
	REDUCE8(Y2, Y3, X2, X6)

	// The last n%8 values of every run, one at a time.
	CMPQ R9, CX
	JGE  mstore
	MOVQ SI, R10
	MOVQ DX, R11

mtailrun:
	MOVQ R9, BX

mtail:
	VCVTSS2SD (R10)(BX*4), X4, X4
	VSUBSD    X15, X4, X4
	VADDSD    X4, X0, X0
	VMULSD    X4, X4, X4
	VADDSD    X4, X2, X2
	INCQ      BX
	CMPQ      BX, CX
	JLT       mtail
	ADDQ      R8, R10
	DECQ      R11
	JNZ       mtailrun

mstore:
	VMOVSD X0, s1+40(FP)
	VMOVSD X2, s2+48(FP)
	VZEROUPPER
	RET

mdone:
	VXORPD X0, X0, X0
	VMOVSD X0, s1+40(FP)
	VMOVSD X0, s2+48(FP)
	VZEROUPPER
	RET

// func bnGradSumsAVX2(grad, x *float32, n, runs, stride int, mean float32) (sg, sgx float64)
TEXT ·bnGradSumsAVX2(SB), NOSPLIT, $0-64
	MOVQ grad+0(FP), SI
	MOVQ x+8(FP), DI
	MOVQ n+16(FP), CX
	MOVQ runs+24(FP), DX
	MOVQ stride+32(FP), R8
	SHLQ $2, R8
	VBROADCASTSS mean+40(FP), Y15
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	MOVQ CX, R9
	ANDQ $-8, R9
	TESTQ DX, DX
	JLE   gdone
	MOVQ SI, R10
	MOVQ DI, R12
	MOVQ DX, R11

grun:
	XORQ BX, BX
	LEAQ (R10)(R8*2), R13   // two runs ahead, prefetched
	LEAQ (R12)(R8*2), R14
	CMPQ BX, R9
	JGE  grunend

gvec:
	PREFETCHT0   (R13)(BX*4)
	PREFETCHT0   (R14)(BX*4)
	VMOVUPS      (R12)(BX*4), Y4
	VSUBPS       Y15, Y4, Y4
	VCVTPS2PD    X4, Y5
	VEXTRACTF128 $1, Y4, X4
	VCVTPS2PD    X4, Y4
	VCVTPS2PD    (R10)(BX*4), Y6
	VCVTPS2PD    16(R10)(BX*4), Y7
	VADDPD       Y6, Y0, Y0
	VADDPD       Y7, Y1, Y1
	VMULPD       Y6, Y5, Y5
	VMULPD       Y7, Y4, Y4
	VADDPD       Y5, Y2, Y2
	VADDPD       Y4, Y3, Y3
	ADDQ         $8, BX
	CMPQ         BX, R9
	JLT          gvec

grunend:
	ADDQ R8, R10
	ADDQ R8, R12
	DECQ R11
	JNZ  grun

	REDUCE8(Y0, Y1, X0, X6)
	REDUCE8(Y2, Y3, X2, X6)

	CMPQ R9, CX
	JGE  gstore
	MOVQ SI, R10
	MOVQ DI, R12
	MOVQ DX, R11

gtailrun:
	MOVQ R9, BX

gtail:
	VMOVSS    (R12)(BX*4), X4
	VSUBSS    X15, X4, X4
	VCVTSS2SD X4, X4, X4
	VCVTSS2SD (R10)(BX*4), X6, X6
	VADDSD    X6, X0, X0
	VMULSD    X6, X4, X4
	VADDSD    X4, X2, X2
	INCQ      BX
	CMPQ      BX, CX
	JLT       gtail
	ADDQ      R8, R10
	ADDQ      R8, R12
	DECQ      R11
	JNZ       gtailrun

gstore:
	VMOVSD X0, sg+48(FP)
	VMOVSD X2, sgx+56(FP)
	VZEROUPPER
	RET

gdone:
	VXORPD X0, X0, X0
	VMOVSD X0, sg+48(FP)
	VMOVSD X0, sgx+56(FP)
	VZEROUPPER
	RET

// func bnNormAVX2(x, y *float32, n, runs, stride int, mean, scale, shift float32)
TEXT ·bnNormAVX2(SB), NOSPLIT, $0-52
	MOVQ x+0(FP), SI
	MOVQ y+8(FP), DI
	MOVQ n+16(FP), CX
	MOVQ runs+24(FP), DX
	MOVQ stride+32(FP), R8
	SHLQ $2, R8
	VBROADCASTSS mean+40(FP), Y13
	VBROADCASTSS scale+44(FP), Y14
	VBROADCASTSS shift+48(FP), Y15
	MOVQ CX, R9
	ANDQ $-8, R9
	TESTQ DX, DX
	JLE   ndone

nrun:
	XORQ BX, BX
	LEAQ (SI)(R8*2), R13    // two runs ahead, prefetched
	CMPQ BX, R9
	JGE  ntail

nvec:
	PREFETCHT0 (R13)(BX*4)
	VMOVUPS (SI)(BX*4), Y0
	VSUBPS  Y13, Y0, Y0
	VMULPS  Y14, Y0, Y0
	VADDPS  Y15, Y0, Y0
	VMOVUPS Y0, (DI)(BX*4)
	ADDQ    $8, BX
	CMPQ    BX, R9
	JLT     nvec

ntail:
	CMPQ BX, CX
	JGE  nrunend
	VMOVSS (SI)(BX*4), X0
	VSUBSS X13, X0, X0
	VMULSS X14, X0, X0
	VADDSS X15, X0, X0
	VMOVSS X0, (DI)(BX*4)
	INCQ   BX
	JMP    ntail

nrunend:
	ADDQ R8, SI
	ADDQ R8, DI
	DECQ DX
	JNZ  nrun

ndone:
	VZEROUPPER
	RET

// func bnGradXAVX2(grad, x, gx *float32, n, runs, stride int, mean, k, a, b float32)
TEXT ·bnGradXAVX2(SB), NOSPLIT, $0-64
	MOVQ grad+0(FP), SI
	MOVQ x+8(FP), R12
	MOVQ gx+16(FP), DI
	MOVQ n+24(FP), CX
	MOVQ runs+32(FP), DX
	MOVQ stride+40(FP), R8
	SHLQ $2, R8
	VBROADCASTSS mean+48(FP), Y12
	VBROADCASTSS k+52(FP), Y13
	VBROADCASTSS a+56(FP), Y14
	VBROADCASTSS b+60(FP), Y15
	MOVQ CX, R9
	ANDQ $-8, R9
	TESTQ DX, DX
	JLE   xdone

xrun:
	XORQ BX, BX
	LEAQ (SI)(R8*2), R13    // two runs ahead, prefetched
	LEAQ (R12)(R8*2), R10
	CMPQ BX, R9
	JGE  xtail

xvec:
	PREFETCHT0 (R13)(BX*4)
	PREFETCHT0 (R10)(BX*4)
	VMOVUPS (SI)(BX*4), Y0
	VMULPS  Y13, Y0, Y0
	VSUBPS  Y14, Y0, Y0
	VMOVUPS (R12)(BX*4), Y1
	VSUBPS  Y12, Y1, Y1
	VMULPS  Y15, Y1, Y1
	VSUBPS  Y1, Y0, Y0
	VMOVUPS Y0, (DI)(BX*4)
	ADDQ    $8, BX
	CMPQ    BX, R9
	JLT     xvec

xtail:
	CMPQ BX, CX
	JGE  xrunend
	VMOVSS (SI)(BX*4), X0
	VMULSS X13, X0, X0
	VSUBSS X14, X0, X0
	VMOVSS (R12)(BX*4), X1
	VSUBSS X12, X1, X1
	VMULSS X15, X1, X1
	VSUBSS X1, X0, X0
	VMOVSS X0, (DI)(BX*4)
	INCQ   BX
	JMP    xtail

xrunend:
	ADDQ R8, SI
	ADDQ R8, R12
	ADDQ R8, DI
	DECQ DX
	JNZ  xrun

xdone:
	VZEROUPPER
	RET

//go:build amd64 && !purego

// AVX2 kernels of the fused STDP simulations (see sim_amd64.go). Every
// charge is mem*tau then + x, each rounded to float32 (no fused
// multiply-add), as the pure-Go loops compute it.

#include "textflag.h"

// func linearStep8(mem, cur, thr *float32, n int, tau, sub float32) bool
//
// For i < n (a multiple of 8): mem[i] = (mem[i] - sub)*tau + cur[i];
// reports whether some mem[i] > thr[i].
TEXT ·linearStep8(SB), NOSPLIT, $0-41
	MOVQ         mem+0(FP), DI
	MOVQ         cur+8(FP), SI
	MOVQ         thr+16(FP), DX
	MOVQ         n+24(FP), CX
	VBROADCASTSS tau+32(FP), Y6
	VBROADCASTSS sub+36(FP), Y7
	VXORPS       Y5, Y5, Y5
	XORQ         AX, AX
	MOVQ         CX, BX
	ANDQ         $-16, BX

lin16:
	CMPQ    AX, BX
	JGE     lin8
	VMOVUPS (DI)(AX*4), Y0
	VMOVUPS 32(DI)(AX*4), Y1
	VSUBPS  Y7, Y0, Y0
	VSUBPS  Y7, Y1, Y1
	VMULPS  Y6, Y0, Y0
	VMULPS  Y6, Y1, Y1
	VADDPS  (SI)(AX*4), Y0, Y0
	VADDPS  32(SI)(AX*4), Y1, Y1
	VMOVUPS Y0, (DI)(AX*4)
	VMOVUPS Y1, 32(DI)(AX*4)
	VCMPPS  $0x1e, (DX)(AX*4), Y0, Y2
	VCMPPS  $0x1e, 32(DX)(AX*4), Y1, Y3
	VORPS   Y2, Y5, Y5
	VORPS   Y3, Y5, Y5
	ADDQ    $16, AX
	JMP     lin16

lin8:
	CMPQ    AX, CX
	JGE     lindone
	VMOVUPS (DI)(AX*4), Y0
	VSUBPS  Y7, Y0, Y0
	VMULPS  Y6, Y0, Y0
	VADDPS  (SI)(AX*4), Y0, Y0
	VMOVUPS Y0, (DI)(AX*4)
	VCMPPS  $0x1e, (DX)(AX*4), Y0, Y2
	VORPS   Y2, Y5, Y5
	ADDQ    $8, AX
	JMP     lin8

lindone:
	VPTEST  Y5, Y5
	SETNE   ret+40(FP)
	VZEROUPPER
	RET

// func convRun16(mem, x, thr, inhThr, cnt *float32, tau float32, steps int) (n, mask int)
//
// Runs up to steps steps (at least 1) of the 16 neurons of one position:
// charge, and at a step where exactly one neuron spikes, what the WTA and
// the threshold-mode inhibition then do: the spiking neuron's membrane is
// reset (times 0), its count grows by 1, every other membrane loses its
// inhThr. It stops after a step where several neurons spike, leaving the
// reset, the draws and the inhibition to the caller, and returns the
// steps run and the mask of those neurons (0 when the steps ran out).
TEXT ·convRun16(SB), NOSPLIT, $0-72
	MOVQ         mem+0(FP), DI
	MOVQ         x+8(FP), SI
	MOVQ         thr+16(FP), DX
	MOVQ         inhThr+24(FP), R8
	MOVQ         cnt+32(FP), R9
	VBROADCASTSS tau+40(FP), Y6
	MOVQ         steps+48(FP), CX
	VMOVUPS      (DI), Y0
	VMOVUPS      32(DI), Y1
	VMOVUPS      (SI), Y2
	VMOVUPS      32(SI), Y3
	VMOVUPS      (DX), Y4
	VMOVUPS      32(DX), Y5
	VMOVUPS      (R8), Y10
	VMOVUPS      32(R8), Y11
	VMOVUPS      (R9), Y12
	VMOVUPS      32(R9), Y13
	MOVL         $0x3f800000, BX
	MOVL         BX, X14
	VBROADCASTSS X14, Y14
	VXORPS       Y15, Y15, Y15
	XORQ         AX, AX

runloop:
	CMPQ      AX, CX
	JGE       runout
	VMULPS    Y6, Y0, Y0
	VADDPS    Y2, Y0, Y0
	VMULPS    Y6, Y1, Y1
	VADDPS    Y3, Y1, Y1
	INCQ      AX
	VCMPPS    $0x1e, Y4, Y0, Y7
	VCMPPS    $0x1e, Y5, Y1, Y8
	VMOVMSKPS Y7, BX
	VMOVMSKPS Y8, DX
	SHLQ      $8, DX
	ORQ       DX, BX
	JZ        runloop
	POPCNTQ   BX, DX
	CMPQ      DX, $1
	JNE       runstore

	// One spike: reset it, count it, inhibit the others.
	VMULPS    Y15, Y0, Y9
	VBLENDVPS Y7, Y9, Y0, Y0
	VMULPS    Y15, Y1, Y9
	VBLENDVPS Y8, Y9, Y1, Y1
	VANDPS    Y14, Y7, Y9
	VADDPS    Y9, Y12, Y12
	VANDPS    Y14, Y8, Y9
	VADDPS    Y9, Y13, Y13
	VANDNPS   Y10, Y7, Y9
	VSUBPS    Y9, Y0, Y0
	VANDNPS   Y11, Y8, Y9
	VSUBPS    Y9, Y1, Y1
	JMP       runloop

runout:
	XORQ BX, BX

runstore:
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y12, (R9)
	VMOVUPS Y13, 32(R9)
	MOVQ    AX, n+56(FP)
	MOVQ    BX, mask+64(FP)
	VZEROUPPER
	RET

// func linearScan8(mem, thr *float32, n int, idx *int32) int
//
// Writes to idx the indices i < n (a multiple of 8) where mem[i] > thr[i],
// in increasing order, and returns how many.
TEXT ·linearScan8(SB), NOSPLIT, $0-40
	MOVQ mem+0(FP), DI
	MOVQ thr+8(FP), SI
	MOVQ n+16(FP), CX
	MOVQ idx+24(FP), DX
	XORQ AX, AX
	XORQ R8, R8

scanloop:
	CMPQ      AX, CX
	JGE       scandone
	VMOVUPS   (DI)(AX*4), Y0
	VCMPPS    $0x1e, (SI)(AX*4), Y0, Y1
	VMOVMSKPS Y1, BX
	TESTQ     BX, BX
	JZ        scannext

scanbits:
	BSFQ  BX, R9
	ADDQ  AX, R9
	MOVL  R9, (DX)(R8*4)
	INCQ  R8
	LEAQ  -1(BX), R10
	ANDQ  R10, BX
	JNZ   scanbits

scannext:
	ADDQ $8, AX
	JMP  scanloop

scandone:
	MOVQ R8, ret+32(FP)
	VZEROUPPER
	RET

//go:build amd64 && !purego

#include "textflag.h"

// func allFiniteAsm(x *float32, n int) bool
// n is a positive multiple of 32. Each element's exponent bits are compared
// with all ones (NaN or infinity); the comparisons are ORed together and
// tested once at the end.
TEXT ·allFiniteAsm(SB), NOSPLIT, $0-17
	MOVQ         x+0(FP), SI
	MOVQ         n+8(FP), CX
	MOVL         $0x7f800000, AX
	VMOVD        AX, X15
	VPBROADCASTD X15, Y15
	VPXOR        Y14, Y14, Y14

loop:
	VPAND    (SI), Y15, Y0
	VPAND    32(SI), Y15, Y1
	VPAND    64(SI), Y15, Y2
	VPAND    96(SI), Y15, Y3
	VPCMPEQD Y15, Y0, Y0
	VPCMPEQD Y15, Y1, Y1
	VPCMPEQD Y15, Y2, Y2
	VPCMPEQD Y15, Y3, Y3
	VPOR     Y0, Y1, Y0
	VPOR     Y2, Y3, Y2
	VPOR     Y0, Y2, Y0
	VPOR     Y0, Y14, Y14
	ADDQ     $128, SI
	SUBQ     $32, CX
	JNZ      loop

	VPTEST     Y14, Y14
	SETEQ      ret+16(FP)
	VZEROUPPER
	RET

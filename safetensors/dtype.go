package safetensors

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/bits"
)

// DType is the element type of a tensor, spelled as in the safetensors
// header ("F32", "I64", ...).
type DType string

// The dtypes this package reads. The float dtypes decode to float32 in
// [Tensor.Data]; the integer dtypes and BOOL decode exactly to
// [Tensor.Ints]. [Write] writes F32 and the integer dtypes.
const (
	F64    DType = "F64"     // IEEE 754 binary64, rounded to float32 on reading
	F32    DType = "F32"     // IEEE 754 binary32
	F16    DType = "F16"     // IEEE 754 binary16
	BF16   DType = "BF16"    // bfloat16: the top 16 bits of a binary32
	F8E5M2 DType = "F8_E5M2" // 8-bit float, 5 exponent bits (bias 15), Inf and NaN (torch.float8_e5m2)
	F8E4M3 DType = "F8_E4M3" // 8-bit float, 4 exponent bits (bias 7), no Inf, NaN = S.1111.111 (torch.float8_e4m3fn)
	F8E8M0 DType = "F8_E8M0" // 8-bit power of two 2^(e-127), 0xFF = NaN (torch.float8_e8m0fnu)
	I64    DType = "I64"
	I32    DType = "I32"
	I16    DType = "I16"
	I8     DType = "I8"
	U64    DType = "U64" // values above 2^63-1 are refused on reading
	U32    DType = "U32"
	U16    DType = "U16"
	U8     DType = "U8"
	Bool   DType = "BOOL" // one byte, 0 or 1
)

// Size returns the size in bytes of one element of d, or 0 if this
// package does not read d.
func (d DType) Size() int {
	switch d {
	case Bool, U8, I8, F8E5M2, F8E4M3, F8E8M0:
		return 1
	case I16, U16, F16, BF16:
		return 2
	case I32, U32, F32:
		return 4
	case I64, U64, F64:
		return 8
	}
	return 0
}

// IsInteger reports whether d is an integer dtype or BOOL, whose values
// Read keeps exactly in [Tensor.Ints].
func (d DType) IsInteger() bool {
	switch d {
	case Bool, U8, I8, I16, U16, I32, U32, I64, U64:
		return true
	}
	return false
}

// orF32 returns d, or F32 for the empty DType of a Tensor literal.
func (d DType) orF32() DType {
	if d == "" {
		return F32
	}
	return d
}

// intRange returns the smallest and largest value of an integer dtype
// (U64's range is cut at math.MaxInt64, the largest value an int64 holds).
func intRange(d DType) (lo, hi int64) {
	switch d {
	case Bool:
		return 0, 1
	case U8:
		return 0, math.MaxUint8
	case I8:
		return math.MinInt8, math.MaxInt8
	case U16:
		return 0, math.MaxUint16
	case I16:
		return math.MinInt16, math.MaxInt16
	case U32:
		return 0, math.MaxUint32
	case I32:
		return math.MinInt32, math.MaxInt32
	case U64:
		return 0, math.MaxInt64
	}
	return math.MinInt64, math.MaxInt64
}

// unsupportedDType explains why a dtype name that the format defines (or
// not) cannot be read, for the error of a header entry.
func unsupportedDType(d DType) string {
	switch d {
	case "F4", "F6_E2M3", "F6_E3M2":
		return fmt.Sprintf("dtype %s is not supported (sub-byte floats packed several to a byte)", d)
	case "C64":
		return fmt.Sprintf("dtype %s is not supported (complex numbers)", d)
	}
	return fmt.Sprintf("unknown dtype %q", string(d))
}

// decoder converts little-endian elements of one float dtype to float32.
// src holds a whole number of elements; dst has room for all of them.
type decoder func(dst []float32, src []byte)

// decoderFor returns the float32 decoder of a float dtype, or nil for any
// other dtype.
func decoderFor(d DType) decoder {
	switch d {
	case F32:
		return decodeF32
	case F64:
		return decodeF64
	case F16:
		return decodeF16
	case BF16:
		return decodeBF16
	case F8E5M2:
		return decodeF8E5M2
	case F8E4M3:
		return decodeF8E4M3
	case F8E8M0:
		return decodeF8E8M0
	}
	return nil
}

func decodeF32(dst []float32, src []byte) {
	for i := range dst {
		dst[i] = math.Float32frombits(binary.LittleEndian.Uint32(src[4*i:]))
	}
}

func decodeF64(dst []float32, src []byte) {
	for i := range dst {
		dst[i] = float32(math.Float64frombits(binary.LittleEndian.Uint64(src[8*i:])))
	}
}

func decodeBF16(dst []float32, src []byte) {
	for i := range dst {
		dst[i] = math.Float32frombits(uint32(binary.LittleEndian.Uint16(src[2*i:])) << 16)
	}
}

func decodeF16(dst []float32, src []byte) {
	for i := range dst {
		dst[i] = halfToFloat32(binary.LittleEndian.Uint16(src[2*i:]))
	}
}

// decodeF8E5M2 uses that an E5M2 byte is the top byte of the binary16
// with the same value.
func decodeF8E5M2(dst []float32, src []byte) {
	for i := range dst {
		dst[i] = halfToFloat32(uint16(src[i]) << 8)
	}
}

func decodeF8E4M3(dst []float32, src []byte) {
	for i := range dst {
		dst[i] = e4m3ToFloat32(src[i])
	}
}

func decodeF8E8M0(dst []float32, src []byte) {
	for i := range dst {
		dst[i] = e8m0ToFloat32(src[i])
	}
}

// halfToFloat32 converts an IEEE 754 binary16 value to float32 exactly,
// including subnormals, infinities and NaN payloads.
func halfToFloat32(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	mant := uint32(h) & 0x3ff
	switch {
	case exp == 0x1f: // Inf or NaN: keep the payload in the top mantissa bits.
		return math.Float32frombits(sign | 0xff<<23 | mant<<13)
	case exp != 0: // normal: rebias 15 -> 127.
		return math.Float32frombits(sign | (exp+127-15)<<23 | mant<<13)
	case mant == 0: // ±0
		return math.Float32frombits(sign)
	}
	// Subnormal half: value = mant * 2^-24, normal in float32.
	e := uint32(127 - 15 + 1)
	for mant&0x400 == 0 {
		mant <<= 1
		e--
	}
	return math.Float32frombits(sign | e<<23 | (mant&0x3ff)<<13)
}

// e4m3ToFloat32 converts a float8 E4M3 "FN" byte (sign, 4 exponent bits
// with bias 7, 3 mantissa bits; no infinities; S.1111.111 is NaN) to
// float32 exactly.
func e4m3ToFloat32(b byte) float32 {
	sign := uint32(b>>7) << 31
	exp := uint32(b>>3) & 0xf
	mant := uint32(b) & 0x7
	switch {
	case exp == 0xf && mant == 0x7:
		return math.Float32frombits(sign | 0x7fc00000)
	case exp != 0: // normal: rebias 7 -> 127.
		return math.Float32frombits(sign | (exp+127-7)<<23 | mant<<20)
	}
	// Zero or subnormal: mant * 2^-9, exact in float32.
	v := float32(mant) * 0x1p-9
	return math.Float32frombits(sign | math.Float32bits(v))
}

// e8m0ToFloat32 converts a float8 E8M0 byte (an unsigned exponent with
// bias 127 and no mantissa: 2^(b-127); 0xFF is NaN) to float32 exactly.
// b = 0 gives 2^-127, a float32 subnormal.
func e8m0ToFloat32(b byte) float32 {
	switch b {
	case 0xff:
		return float32(math.NaN())
	case 0:
		return 0x1p-127
	}
	return math.Float32frombits(uint32(b) << 23)
}

// decodeInts converts little-endian elements of an integer dtype (or
// BOOL) to int64. It returns the index of the first element that is not a
// value of the dtype (a BOOL byte other than 0 and 1, a U64 above
// math.MaxInt64), or -1.
func decodeInts(d DType, dst []int64, src []byte) int {
	switch d {
	case Bool:
		for i := range dst {
			if src[i] > 1 {
				return i
			}
			dst[i] = int64(src[i])
		}
	case U8:
		for i := range dst {
			dst[i] = int64(src[i])
		}
	case I8:
		for i := range dst {
			dst[i] = int64(int8(src[i]))
		}
	case U16:
		for i := range dst {
			dst[i] = int64(binary.LittleEndian.Uint16(src[2*i:]))
		}
	case I16:
		for i := range dst {
			dst[i] = int64(int16(binary.LittleEndian.Uint16(src[2*i:])))
		}
	case U32:
		for i := range dst {
			dst[i] = int64(binary.LittleEndian.Uint32(src[4*i:]))
		}
	case I32:
		for i := range dst {
			dst[i] = int64(int32(binary.LittleEndian.Uint32(src[4*i:])))
		}
	case U64:
		for i := range dst {
			u := binary.LittleEndian.Uint64(src[8*i:])
			if u > math.MaxInt64 {
				return i
			}
			dst[i] = int64(u)
		}
	case I64:
		for i := range dst {
			dst[i] = int64(binary.LittleEndian.Uint64(src[8*i:]))
		}
	}
	return -1
}

// appendInts appends the little-endian encoding of vs as dtype d to b.
// Every value must be in the range of d.
func appendInts(b []byte, d DType, vs []int64) []byte {
	for _, v := range vs {
		switch d.Size() {
		case 1:
			b = append(b, byte(v))
		case 2:
			b = binary.LittleEndian.AppendUint16(b, uint16(v))
		case 4:
			b = binary.LittleEndian.AppendUint32(b, uint32(v))
		default:
			b = binary.LittleEndian.AppendUint64(b, uint64(v))
		}
	}
	return b
}

// exactFloat32 reports whether float32 holds v exactly: whether v,
// stripped of its trailing zero bits, has at most 24 significant bits.
// (Every int64 is within the float32 range.)
func exactFloat32(v int64) bool {
	u := uint64(v)
	if v < 0 {
		u = -u // also right for math.MinInt64: 1<<63
	}
	if u == 0 {
		return true
	}
	return u>>bits.TrailingZeros64(u) < 1<<24
}

// float32ToInt converts a float32 to the int64 it equals, and false if it
// is not an integer of the range [lo, hi].
func float32ToInt(f float32, lo, hi int64) (int64, bool) {
	x := float64(f) // exact
	// -2^63 and 2^63 are exact in float64; NaN fails every comparison.
	if !(x >= -0x1p63 && x < 0x1p63) || x != math.Trunc(x) {
		return 0, false
	}
	v := int64(x)
	return v, v >= lo && v <= hi
}

package safetensors

import (
	"bytes"
	"encoding/binary"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestReadIntegers decodes hand-built integer and BOOL tensors, including
// the unsigned dtypes torch 1.13 cannot produce.
func TestReadIntegers(t *testing.T) {
	le := func(size int, vs ...uint64) []byte {
		var b []byte
		for _, v := range vs {
			switch size {
			case 1:
				b = append(b, byte(v))
			case 2:
				b = binary.LittleEndian.AppendUint16(b, uint16(v))
			case 4:
				b = binary.LittleEndian.AppendUint32(b, uint32(v))
			case 8:
				b = binary.LittleEndian.AppendUint64(b, v)
			}
		}
		return b
	}
	const big = 1<<24 + 1 // the smallest positive integer float32 cannot hold
	tests := []struct {
		dtype DType
		data  []byte
		ints  []int64
		exact bool // Data is set
	}{
		{Bool, []byte{0, 1, 1}, []int64{0, 1, 1}, true},
		{U8, []byte{0, 1, 255}, []int64{0, 1, 255}, true},
		{I8, []byte{0x80, 0xff, 0x7f}, []int64{-128, -1, 127}, true},
		{U16, le(2, 0, 1, 0xffff), []int64{0, 1, 65535}, true},
		{I16, le(2, 0x8000, 0xffff, 0x7fff), []int64{-32768, -1, 32767}, true},
		{U32, le(4, 0, 1<<24, 0xffffffff), []int64{0, 1 << 24, 1<<32 - 1}, false},
		{U32, le(4, 0, 1<<24, 0x80000000), []int64{0, 1 << 24, 1 << 31}, true},
		{I32, le(4, 0x80000000, 0xffffffff, 0x7fffffff), []int64{math.MinInt32, -1, math.MaxInt32}, false},
		{I32, le(4, 0x80000000, 0xffffffff, big), []int64{math.MinInt32, -1, big}, false},
		{I32, le(4, 0x80000000, 0xffffffff, 1<<24), []int64{math.MinInt32, -1, 1 << 24}, true},
		{U64, le(8, 0, 5, math.MaxInt64), []int64{0, 5, math.MaxInt64}, false},
		{U64, le(8, 0, 5, 1<<62), []int64{0, 5, 1 << 62}, true},
		{I64, le(8, 1<<63, math.MaxUint64, math.MaxInt64), []int64{math.MinInt64, -1, math.MaxInt64}, false},
		{I64, le(8, 1<<63, math.MaxUint64, 0x7fff_ff80_0000_0000), []int64{math.MinInt64, -1, 0x7fff_ff80_0000_0000}, true},
		{I64, le(8, 1<<63, -big&math.MaxUint64, 3), []int64{math.MinInt64, -big, 3}, false},
	}
	for _, tt := range tests {
		t.Run(string(tt.dtype), func(t *testing.T) {
			header := `{"x":{"dtype":"` + string(tt.dtype) + `","shape":[3],"data_offsets":[0,` + strconv.Itoa(len(tt.data)) + `]}}`
			f, err := readAll(t, build(header, tt.data))
			if err != nil {
				t.Fatal(err)
			}
			checkInvariants(t, f)
			want := Tensor{Name: "x", Shape: []int{3}, DType: tt.dtype, Ints: tt.ints}
			if tt.exact {
				for _, v := range tt.ints {
					want.Data = append(want.Data, float32(v))
				}
			}
			if d := diffTensor(f.Tensors[0], want); d != "" {
				t.Fatal(d)
			}
			f32, err := f.Tensors[0].Float32s()
			if tt.exact != (err == nil) {
				t.Fatalf("Float32s error %v, exact %v", err, tt.exact)
			}
			if err == nil && (len(f32) != 3 || float64(f32[2]) != float64(tt.ints[2])) {
				t.Fatalf("Float32s = %v", f32)
			}
		})
	}
}

// TestReadFloat8 checks every byte of the three 8-bit float dtypes
// against their definitions, worked in float64.
func TestReadFloat8(t *testing.T) {
	defs := []struct {
		dtype DType
		value func(b byte) float64 // NaN for NaN
	}{
		{F8E5M2, func(b byte) float64 { // IEEE-style: bias 15, 2 mantissa bits
			e, m := int(b>>2&0x1f), float64(b&3)
			v := math.Ldexp(1+m/4, e-15)
			switch {
			case e == 0x1f && m == 0:
				v = math.Inf(1)
			case e == 0x1f:
				v = math.NaN()
			case e == 0:
				v = math.Ldexp(m/4, -14)
			}
			return math.Copysign(v, float64(int(b>>7)*-2+1))
		}},
		{F8E4M3, func(b byte) float64 { // bias 7, 3 mantissa bits, no Inf, S.1111.111 NaN
			e, m := int(b>>3&0xf), float64(b&7)
			v := math.Ldexp(1+m/8, e-7)
			switch {
			case e == 0xf && m == 7:
				v = math.NaN()
			case e == 0:
				v = math.Ldexp(m/8, -6)
			}
			return math.Copysign(v, float64(int(b>>7)*-2+1))
		}},
		{F8E8M0, func(b byte) float64 { // 2^(b-127), 0xFF NaN
			if b == 0xff {
				return math.NaN()
			}
			return math.Ldexp(1, int(b)-127)
		}},
	}
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	for _, d := range defs {
		t.Run(string(d.dtype), func(t *testing.T) {
			f, err := readAll(t, build(`{"x":{"dtype":"`+string(d.dtype)+`","shape":[16,16],"data_offsets":[0,256]}}`, all))
			if err != nil {
				t.Fatal(err)
			}
			checkInvariants(t, f)
			got := f.Tensors[0].Data
			for b := range 256 {
				want := d.value(byte(b))
				g := float64(got[b])
				if math.IsNaN(want) != math.IsNaN(g) || (!math.IsNaN(want) && (g != want || math.Signbit(g) != math.Signbit(want))) {
					t.Errorf("byte %#02x: %v, want %v", b, g, want)
				}
			}
		})
	}
	// Spot values from the format definitions.
	for _, c := range []struct {
		dtype DType
		b     byte
		want  float32
	}{
		{F8E4M3, 0x7e, 448}, {F8E4M3, 0x01, 0x1p-9}, {F8E4M3, 0x38, 1}, {F8E4M3, 0xc0, -2},
		{F8E5M2, 0x7b, 57344}, {F8E5M2, 0x01, 0x1p-16}, {F8E5M2, 0x3c, 1},
		{F8E8M0, 127, 1}, {F8E8M0, 0, 0x1p-127}, {F8E8M0, 254, 0x1p127},
	} {
		dst := make([]float32, 1)
		decoderFor(c.dtype)(dst, []byte{c.b})
		if dst[0] != c.want {
			t.Errorf("%s %#02x = %v, want %v", c.dtype, c.b, dst[0], c.want)
		}
	}
}

func TestExactFloat32(t *testing.T) {
	for _, c := range []struct {
		v    int64
		want bool
	}{
		{0, true}, {1, true}, {-1, true}, {1 << 24, true}, {1<<24 + 1, false}, {1<<24 + 2, true},
		{-(1<<24 + 1), false}, {0xffffff << 20, true}, {0x1ffffff << 20, false},
		{math.MinInt64, true}, {math.MaxInt64, false}, {math.MinInt64 + 1, false},
		{1 << 62, true}, {math.MaxInt32, false}, {math.MinInt32, true},
	} {
		if got := exactFloat32(c.v); got != c.want {
			t.Errorf("exactFloat32(%d) = %v, want %v", c.v, got, c.want)
		}
		// Independent check through big-enough float64 arithmetic where it is exact.
		if c.v > -1<<53 && c.v < 1<<53 {
			if got := float64(float32(c.v)) == float64(c.v); got != c.want {
				t.Errorf("float32(%d) round trip %v, want %v", c.v, got, c.want)
			}
		}
	}
}

func TestFloat32s(t *testing.T) {
	tests := []struct {
		name string
		t    Tensor
		want []float32
		err  string
	}{
		{"F32 literal", Tensor{Name: "w", Data: []float32{1.5}}, []float32{1.5}, ""},
		{"F16 read", Tensor{Name: "h", DType: F16, Data: []float32{2}}, []float32{2}, ""},
		{"I64 with Ints only", Tensor{Name: "n", DType: I64, Ints: []int64{3, -4}}, []float32{3, -4}, ""},
		{"I64 with Data only", Tensor{Name: "n", DType: I64, Data: []float32{7}}, []float32{7}, ""},
		{"I64 inexact", Tensor{Name: "steps", DType: I64, Ints: []int64{1, 1<<24 + 1}}, nil,
			`safetensors: tensor "steps" (I64): element 1 is 16777217, which float32 cannot represent exactly`},
		{"U8", Tensor{Name: "m", DType: U8, Ints: []int64{255}}, []float32{255}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.t.Float32s()
			if tt.err != "" {
				if err == nil || err.Error() != tt.err || got != nil {
					t.Fatalf("Float32s() = %v, %v; want error %q", got, err, tt.err)
				}
				return
			}
			if err != nil || len(got) != len(tt.want) {
				t.Fatalf("Float32s() = %v, %v; want %v", got, err, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Fatalf("Float32s() = %v, want %v", got, tt.want)
				}
			}
		})
	}
}

// TestWriteIntegersExactBytes pins the bytes of integer tensors written
// from Ints and from Data: num_batches_tracked as torch writes it (I64
// scalar), a U8 mask, a BOOL, I8 and I16 with negative values, I32.
func TestWriteIntegersExactBytes(t *testing.T) {
	var buf bytes.Buffer
	err := Write(&buf, []Tensor{
		{Name: "bn.num_batches_tracked", Shape: []int{}, DType: I64, Data: []float32{600}},
		{Name: "idx", Shape: []int{2}, DType: I64, Ints: []int64{math.MinInt64, math.MaxInt64}},
		{Name: "w", Shape: []int{1}, Data: []float32{1}},
		{Name: "m", Shape: []int{2}, DType: U8, Ints: []int64{0, 255}},
		{Name: "b", Shape: []int{2}, DType: Bool, Data: []float32{1, 0}},
		{Name: "s", Shape: []int{2}, DType: I8, Data: []float32{-128, 127}},
		{Name: "h", Shape: []int{1}, DType: I16, Ints: []int64{-2}},
		{Name: "i", Shape: []int{1}, DType: I32, Data: []float32{-1 << 31}, Ints: []int64{-1 << 31}},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	header := `{"bn.num_batches_tracked":{"dtype":"I64","shape":[],"data_offsets":[0,8]},` +
		`"idx":{"dtype":"I64","shape":[2],"data_offsets":[8,24]},` +
		`"w":{"dtype":"F32","shape":[1],"data_offsets":[24,28]},` +
		`"m":{"dtype":"U8","shape":[2],"data_offsets":[28,30]},` +
		`"b":{"dtype":"BOOL","shape":[2],"data_offsets":[30,32]},` +
		`"s":{"dtype":"I8","shape":[2],"data_offsets":[32,34]},` +
		`"h":{"dtype":"I16","shape":[1],"data_offsets":[34,36]},` +
		`"i":{"dtype":"I32","shape":[1],"data_offsets":[36,40]}}`
	header += strings.Repeat(" ", (8-len(header)%8)%8)
	data := []byte{
		0x58, 0x02, 0, 0, 0, 0, 0, 0, // 600
		0, 0, 0, 0, 0, 0, 0, 0x80, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f,
		0, 0, 0x80, 0x3f, // 1.0
		0, 0xff,
		1, 0,
		0x80, 0x7f,
		0xfe, 0xff,
		0, 0, 0, 0x80,
	}
	if want := build(header, data); !bytes.Equal(buf.Bytes(), want) {
		t.Fatalf("got\n%q\nwant\n%q", buf.Bytes(), want)
	}
}

func TestWriteIntegersRoundTrip(t *testing.T) {
	big := make([]int64, 100_000) // spans several write chunks
	for i := range big {
		big[i] = int64(i)*int64(i)*7919 - 1<<40
	}
	fromData := make([]float32, 70_000) // several chunks, converted from Data
	for i := range fromData {
		fromData[i] = float32(i%256 - 128)
	}
	tensors := []Tensor{
		{Name: "big", Shape: []int{100, 1000}, DType: I64, Ints: big},
		{Name: "small", Shape: []int{70_000}, DType: I8, Data: fromData},
		{Name: "u16", Shape: []int{2}, DType: U16, Ints: []int64{0, 65535}},
		{Name: "u32", Shape: []int{1}, DType: U32, Ints: []int64{1<<32 - 1}},
		{Name: "u64", Shape: []int{1}, DType: U64, Ints: []int64{math.MaxInt64}},
		{Name: "empty", Shape: []int{0}, DType: I32},
	}
	var buf bytes.Buffer
	if err := Write(&buf, tensors, nil); err != nil {
		t.Fatal(err)
	}
	f, err := readAll(t, buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	checkInvariants(t, f)
	for i, x := range f.Tensors {
		want := tensors[i]
		if want.Ints == nil {
			for _, v := range want.Data {
				want.Ints = append(want.Ints, int64(v))
			}
		}
		if !slices.Equal(x.Ints, want.Ints) || x.DType != want.DType {
			t.Errorf("tensor %q: %s %d ints, want %s %d", x.Name, x.DType, len(x.Ints), want.DType, len(want.Ints))
		}
	}
}

func TestWriteIntegersInvalid(t *testing.T) {
	nan := float32(math.NaN())
	tests := []struct {
		name string
		t    Tensor
		want string
	}{
		{"fraction", Tensor{Name: "n", DType: I64, Data: []float32{2.5}}, `tensor 0 "n": Data[0] = 2.5 is not an integer in the range of I64 (-9223372036854775808 to 9223372036854775807)`},
		{"NaN", Tensor{Name: "n", DType: I64, Data: []float32{nan}}, "Data[0] = NaN is not an integer in the range of I64"},
		{"Inf", Tensor{Name: "n", DType: I32, Data: []float32{float32(math.Inf(1))}}, "Data[0] = +Inf is not an integer in the range of I32"},
		{"2^63 from Data", Tensor{Name: "n", DType: I64, Data: []float32{0x1p63}}, "Data[0] = 9.223372e+18 is not an integer in the range of I64"},
		{"U8 256", Tensor{Name: "m", Shape: []int{2}, DType: U8, Data: []float32{1, 256}}, "Data[1] = 256 is not an integer in the range of U8 (0 to 255)"},
		{"U8 negative", Tensor{Name: "m", DType: U8, Ints: []int64{-1}}, "Ints[0] = -1 is outside the range of U8 (0 to 255)"},
		{"BOOL 2", Tensor{Name: "b", DType: Bool, Ints: []int64{2}}, "Ints[0] = 2 is outside the range of BOOL (0 to 1)"},
		{"I8 -129", Tensor{Name: "s", DType: I8, Ints: []int64{-129}}, "is outside the range of I8 "},
		{"I16 overflow", Tensor{Name: "s", DType: I16, Ints: []int64{32768}}, "is outside the range of I16 "},
		{"I32 overflow", Tensor{Name: "s", DType: I32, Ints: []int64{1 << 31}}, "is outside the range of I32 "},
		{"U32 overflow", Tensor{Name: "s", DType: U32, Ints: []int64{1 << 32}}, "is outside the range of U32 "},
		{"U64 negative", Tensor{Name: "s", DType: U64, Ints: []int64{-1}}, "is outside the range of U64 "},
		{"Ints count", Tensor{Name: "n", Shape: []int{3}, DType: I64, Ints: []int64{1, 2}}, "shape [3] needs 3 elements, Ints has 2"},
		{"Ints and Data differ", Tensor{Name: "n", DType: I64, Ints: []int64{1}, Data: []float32{2}}, "Data[0] = 2 differs from Ints[0] = 1"},
		{"Ints and Data lengths", Tensor{Name: "n", Shape: []int{1}, DType: I64, Ints: []int64{1}, Data: []float32{1, 1}}, "Data has 2 elements, Ints 1"},
		{"Ints on F32", Tensor{Name: "w", Data: []float32{1}, Ints: []int64{1}}, "dtype F32 takes its values from Data, but Ints is set"},
		{"F16", Tensor{Name: "h", DType: F16, Data: []float32{1}}, "dtype F16 cannot be written: only F32 and the integer dtypes can"},
		{"F64", Tensor{Name: "d", DType: F64, Data: []float32{1}}, "dtype F64 cannot be written"},
		{"unknown", Tensor{Name: "x", DType: "I128", Data: []float32{1}}, `unknown dtype "I128"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := Write(&buf, []Tensor{tt.t}, nil)
			if err == nil || !strings.HasPrefix(err.Error(), "safetensors: ") || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want one containing %q", err, tt.want)
			}
			if buf.Len() != 0 {
				t.Fatalf("wrote %d bytes before failing", buf.Len())
			}
		})
	}
}

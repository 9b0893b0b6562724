package safetensors

import (
	"encoding/binary"
	"io"
	"math"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// TestReadHandBuilt decodes byte sequences assembled by hand, so that the
// reader is checked independently of the writer.
func TestReadHandBuilt(t *testing.T) {
	f16 := func(vs ...uint16) []byte {
		var b []byte
		for _, v := range vs {
			b = binary.LittleEndian.AppendUint16(b, v)
		}
		return b
	}
	f64 := func(vs ...float64) []byte {
		var b []byte
		for _, v := range vs {
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
		}
		return b
	}
	cat := func(bs ...[]byte) []byte { return slices.Concat(bs...) }

	tests := []struct {
		name string
		data []byte
		want []Tensor // in offset order
		meta map[string]string
	}{
		{
			name: "no tensors",
			data: build(`{}`, nil),
			want: []Tensor{},
		},
		{
			name: "one matrix, exact bytes",
			// 57 header bytes; data 1, 2, 3, -4.5, 0.25, 1e30.
			data: append([]byte{57, 0, 0, 0, 0, 0, 0, 0},
				append([]byte(`{"m":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]}}`),
					0x00, 0x00, 0x80, 0x3f, // 1
					0x00, 0x00, 0x00, 0x40, // 2
					0x00, 0x00, 0x40, 0x40, // 3
					0x00, 0x00, 0x90, 0xc0, // -4.5
					0x00, 0x00, 0x80, 0x3e, // 0.25
					0xca, 0xf2, 0x49, 0x71, // 1e30
				)...),
			want: []Tensor{{Name: "m", Shape: []int{2, 3}, Data: []float32{1, 2, 3, -4.5, 0.25, 1e30}}},
		},
		{
			name: "header order differs from offset order; padding; metadata",
			data: build(`{"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}, `+
				`"__metadata__":{"format":"pt","k":"v \"q\""},`+
				` "a":{"shape":[2],"data_offsets":[0,8],"dtype":"F32"}}    `,
				f32s(10, 20, 30)),
			want: []Tensor{
				{Name: "a", Shape: []int{2}, Data: []float32{10, 20}},
				{Name: "b", Shape: []int{1}, Data: []float32{30}},
			},
			meta: map[string]string{"format": "pt", "k": `v "q"`},
		},
		{
			name: "scalar and empty tensors sharing an offset",
			data: build(`{"s":{"dtype":"F32","shape":[],"data_offsets":[0,4]},`+
				`"e0":{"dtype":"F32","shape":[0],"data_offsets":[0,0]},`+
				`"e1":{"dtype":"F32","shape":[4,0,2],"data_offsets":[4,4]}}`,
				f32s(-7)),
			want: []Tensor{
				{Name: "e0", Shape: []int{0}, Data: []float32{}},
				{Name: "s", Shape: []int{}, Data: []float32{-7}},
				{Name: "e1", Shape: []int{4, 0, 2}, Data: []float32{}},
			},
		},
		{
			name: "null metadata and unknown entry fields are ignored",
			data: build(`{"__metadata__":null,"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"extra":[1,2]}}`, f32s(1)),
			want: []Tensor{{Name: "x", Shape: []int{1}, Data: []float32{1}}},
		},
		{
			name: "huge dimension times zero",
			data: build(`{"z":{"dtype":"F32","shape":[4611686018427387904,4611686018427387904,0],"data_offsets":[0,0]}}`, nil),
			want: []Tensor{{Name: "z", Shape: []int{1 << 62, 1 << 62, 0}, Data: []float32{}}},
		},
		{
			name: "F16 BF16 F64 convert to float32",
			data: build(`{"h":{"dtype":"F16","shape":[7],"data_offsets":[0,14]},`+
				`"b":{"dtype":"BF16","shape":[2],"data_offsets":[14,18]},`+
				`"d":{"dtype":"F64","shape":[3],"data_offsets":[18,42]}}`,
				cat(
					// 1, -2, 65504 (max), 2^-24 (min subnormal), 2^-14 (min normal), +Inf, -0
					f16(0x3c00, 0xc000, 0x7bff, 0x0001, 0x0400, 0x7c00, 0x8000),
					f16(0x3f80, 0xc0a0), // BF16 1, -5
					f64(0.1, 1e300, -2.5),
				)),
			want: []Tensor{
				{Name: "h", Shape: []int{7}, DType: F16, Data: []float32{1, -2, 65504, 0x1p-24, 0x1p-14, float32(math.Inf(1)), float32(math.Copysign(0, -1))}},
				{Name: "b", Shape: []int{2}, DType: BF16, Data: []float32{1, -5}},
				{Name: "d", Shape: []int{3}, DType: F64, Data: []float32{0.1, float32(math.Inf(1)), -2.5}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := readAll(t, tt.data)
			if err != nil {
				t.Fatal(err)
			}
			checkInvariants(t, f)
			if d := diffFiles(f, &File{Tensors: tt.want, Metadata: tt.meta}); d != "" {
				t.Fatal(d)
			}
		})
	}
}

// TestReadHalfNaN checks that F16 NaN stays NaN and keeps its sign and
// payload bits.
func TestReadHalfNaN(t *testing.T) {
	for _, h := range []uint16{0x7e00, 0xfe00, 0x7c01, 0x7fff} {
		f := halfToFloat32(h)
		if f == f {
			t.Errorf("half %#04x -> %v, want NaN", h, f)
		}
		bits := math.Float32bits(f)
		if uint16(bits>>16)&0x8000 != h&0x8000 || (bits>>13)&0x3ff != uint32(h&0x3ff) {
			t.Errorf("half %#04x -> bits %#08x: sign or payload lost", h, bits)
		}
	}
}

// TestHalfToFloat32All checks every finite half against the value
// computed from its definition.
func TestHalfToFloat32All(t *testing.T) {
	for h := 0; h < 1<<16; h++ {
		exp := (h >> 10) & 0x1f
		if exp == 0x1f {
			continue
		}
		mant := float64(h & 0x3ff)
		var want float64
		if exp == 0 {
			want = mant * 0x1p-24
		} else {
			want = (1 + mant/1024) * math.Pow(2, float64(exp-15))
		}
		if h&0x8000 != 0 {
			want = -want
		}
		if got := halfToFloat32(uint16(h)); got != float32(want) || math.Signbit(float64(got)) != (h&0x8000 != 0) {
			t.Fatalf("half %#04x -> %v, want %v", h, got, want)
		}
	}
}

func TestReadMalformed(t *testing.T) {
	valid := `{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`
	hugeLen := binary.LittleEndian.AppendUint64(nil, 1<<40)
	tests := []struct {
		name string
		data []byte
		want string // substring of the error
	}{
		{"empty input", nil, "header length"},
		{"short length", []byte{1, 2, 3}, "header length"},
		{"header length over limit", append(hugeLen, "{}"...), "exceeds the limit"},
		{"header length max uint64", append(binary.LittleEndian.AppendUint64(nil, math.MaxUint64), "{}"...), "exceeds the limit"},
		{"header longer than input", append(binary.LittleEndian.AppendUint64(nil, 100), "{}"...), "header"},
		{"zero header length", build(``, nil), "start with '{'"},
		{"truncated JSON", build(`{"a":{"dtype":"F32"`, nil), "invalid header JSON"},
		{"header is an array", build(`[]`, nil), "start with '{'"},
		{"header is a string", build(`"x"`, nil), "start with '{'"},
		{"leading space", build(` {}`, nil), "start with '{'"},
		{"invalid UTF-8", build("{\"\xff\":{}}", nil), "UTF-8"},
		{"garbage after object", build(`{} x`, nil), "invalid header JSON"},
		{"two objects", build(`{}{}`, nil), "after the object"},
		{"NUL padding", build("{}\x00\x00", nil), "invalid header JSON"},
		{"duplicate tensor", build(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, f32s(1, 2)), `duplicate key "a"`},
		{"duplicate field", build(`{"a":{"dtype":"F32","shape":[1],"shape":[1],"data_offsets":[0,4]}}`, f32s(1)), `duplicate key "shape"`},
		{"duplicate metadata key", build(`{"__metadata__":{"k":"1","k":"2"}}`, nil), `duplicate key "k"`},
		{"entry not an object", build(`{"a":5}`, nil), `tensor "a"`},
		{"missing dtype", build(`{"a":{"shape":[2],"data_offsets":[0,8]}}`, f32s(1, 2)), `tensor "a": missing "dtype"`},
		{"missing shape", build(`{"a":{"dtype":"F32","data_offsets":[0,8]}}`, f32s(1, 2)), `tensor "a": missing "shape"`},
		{"null shape", build(`{"a":{"dtype":"F32","shape":null,"data_offsets":[0,8]}}`, f32s(1, 2)), `tensor "a": missing "shape"`},
		{"missing offsets", build(`{"a":{"dtype":"F32","shape":[2]}}`, f32s(1, 2)), `tensor "a": missing "data_offsets"`},
		{"dtype not a string", build(`{"a":{"dtype":4,"shape":[1],"data_offsets":[0,4]}}`, f32s(1)), "not a string"},
		{"unknown dtype", build(`{"a":{"dtype":"f32","shape":[1],"data_offsets":[0,4]}}`, f32s(1)), `tensor "a": unknown dtype "f32"`},
		{"empty dtype", build(`{"a":{"dtype":"","shape":[1],"data_offsets":[0,4]}}`, f32s(1)), `tensor "a": unknown dtype ""`},
		{"sub-byte F4", build(`{"q":{"dtype":"F4","shape":[2],"data_offsets":[0,1]}}`, []byte{0x12}), `tensor "q": dtype F4 is not supported (sub-byte floats`},
		{"sub-byte F6", build(`{"q":{"dtype":"F6_E2M3","shape":[4],"data_offsets":[0,3]}}`, []byte{1, 2, 3}), `dtype F6_E2M3 is not supported`},
		{"complex C64", build(`{"z":{"dtype":"C64","shape":[1],"data_offsets":[0,8]}}`, make([]byte, 8)), `tensor "z": dtype C64 is not supported (complex numbers)`},
		{"BOOL byte 2", build(`{"m":{"dtype":"BOOL","shape":[3],"data_offsets":[0,3]}}`, []byte{1, 0, 2}),
			`tensor "m": element 2 (bytes [2,3)) is 2, outside the range of BOOL (0 to 1)`},
		{"U64 above int64", build(`{"c":{"dtype":"U64","shape":[2],"data_offsets":[0,16]}}`, binary.LittleEndian.AppendUint64(make([]byte, 8), 1<<63)),
			`tensor "c": element 1 (bytes [8,16)) is 9223372036854775808, outside the range of U64 (0 to 9223372036854775807)`},
		{"I64 size mismatch", build(`{"n":{"dtype":"I64","shape":[],"data_offsets":[0,4]}}`, make([]byte, 4)), `shape [] of I64 needs 8`},
		{"I64 truncated", build(`{"n":{"dtype":"I64","shape":[2],"data_offsets":[0,16]}}`, make([]byte, 12)), `16-byte data buffer but 12 bytes`},
		{"shape not a list", build(`{"a":{"dtype":"F32","shape":2,"data_offsets":[0,8]}}`, f32s(1, 2)), "not a list of integers"},
		{"shape of floats", build(`{"a":{"dtype":"F32","shape":[2.0],"data_offsets":[0,8]}}`, f32s(1, 2)), "not a list of integers"},
		{"shape of strings", build(`{"a":{"dtype":"F32","shape":["2"],"data_offsets":[0,8]}}`, f32s(1, 2)), "not a list of integers"},
		{"negative dimension", build(`{"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}`, f32s(1, 2)), "negative dimension"},
		{"dimension beyond int64", build(`{"a":{"dtype":"F32","shape":[9223372036854775808],"data_offsets":[0,8]}}`, f32s(1, 2)), "not a list of integers"},
		{"shape overflows", build(`{"a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,8]}}`, f32s(1, 2)), "too large"},
		{"one offset", build(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[8]}}`, f32s(1, 2)), "not a pair"},
		{"three offsets", build(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8,8]}}`, f32s(1, 2)), "not a pair"},
		{"negative offset", build(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[-8,0]}}`, f32s(1, 2)), "not a pair"},
		{"offsets reversed", build(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}}`, f32s(1, 2)), "end before they begin"},
		{"size mismatch", build(`{"a":{"dtype":"F32","shape":[2,2],"data_offsets":[0,8]}}`, f32s(1, 2)),
			`tensor "a": data_offsets [0,8] hold 8 bytes, shape [2 2] of F32 needs 16`},
		{"F16 size mismatch", build(`{"a":{"dtype":"F16","shape":[2],"data_offsets":[0,8]}}`, f32s(1, 2)), "shape [2] of F16 needs 4"},
		{"scalar size mismatch", build(`{"a":{"dtype":"F32","shape":[],"data_offsets":[0,0]}}`, nil), "needs 4"},
		{"not starting at 0", build(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, f32s(1, 2)), "hole: bytes [0,4)"},
		{"hole", build(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}`, f32s(1, 2, 3)), `tensor "b": data_offsets [8,12] leave a hole`},
		{"overlap", build(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}`, f32s(1, 2, 3)), `overlap tensor "a"`},
		{"same range twice", build(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`, f32s(1, 2)), "overlap"},
		{"empty inside another", build(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"e":{"dtype":"F32","shape":[0],"data_offsets":[4,4]}}`, f32s(1, 2)), `tensor "e"`},
		{"data truncated", build(valid, f32s(1)), "bytes"},
		{"no data", build(valid, nil), "bytes"},
		{"trailing garbage", build(valid, append(f32s(1, 2), 0)), "8-byte data buffer"},
		{"trailing bytes, no tensors", build(`{}`, []byte{0}), "0"},
		{"offsets past huge buffer", build(`{"a":{"dtype":"F32","shape":[1073741824],"data_offsets":[0,4294967296]}}`, f32s(1)), "4294967296"},
		{"metadata not an object", build(`{"__metadata__":["x"]}`, nil), "__metadata__"},
		{"metadata number value", build(`{"__metadata__":{"epoch":3}}`, nil), `value of "epoch" is 3, not a string`},
		{"metadata null value", build(`{"__metadata__":{"k":null}}`, nil), `value of "k" is null`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := readAll(t, tt.data)
			if err == nil {
				t.Fatalf("no error; read %d tensors", len(f.Tensors))
			}
			if !strings.HasPrefix(err.Error(), "safetensors: ") || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %q, want it to start with \"safetensors: \" and contain %q", err, tt.want)
			}
		})
	}
}

// TestReadHugeClaimsDoNotAllocate checks that a header claiming a large
// buffer, on a stream of unknown length, fails without allocating it.
func TestReadHugeClaimsDoNotAllocate(t *testing.T) {
	for _, header := range []string{
		`{"a":{"dtype":"F32","shape":[268435456],"data_offsets":[0,1073741824]}}`,
		`{"a":{"dtype":"I64","shape":[134217728],"data_offsets":[0,1073741824]}}`, // 1 GiB of Ints, plus Data
		`{"a":{"dtype":"U8","shape":[1073741824],"data_offsets":[0,1073741824]}}`, // 8 GiB of Ints
	} {
		data := build(header, f32s(1, 2, 3))
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := Read(streamOnly{strings.NewReader(string(data))})
		runtime.ReadMemStats(&after)
		if err == nil || !strings.Contains(err.Error(), io.ErrUnexpectedEOF.Error()) {
			t.Fatalf("err = %v, want unexpected EOF", err)
		}
		if grew := after.TotalAlloc - before.TotalAlloc; grew > 16<<20 {
			t.Fatalf("reading a 1 GB claim from %d bytes allocated %d bytes", len(data), grew)
		}
	}
}

// TestReadMemoryBound checks the documented bound on the memory of the
// decoded tensors: at most 12 bytes per data byte (a 1-byte integer dtype:
// 8 for Ints, 4 for Data), whether the input size is known or not.
func TestReadMemoryBound(t *testing.T) {
	const n = 4 << 20
	data := build(`{"m":{"dtype":"U8","shape":[4194304],"data_offsets":[0,4194304]}}`, make([]byte, n))
	for _, sized := range []bool{true, false} {
		var r io.Reader = strings.NewReader(string(data))
		if !sized {
			r = streamOnly{r}
		}
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		f, err := Read(r)
		runtime.ReadMemStats(&after)
		if err != nil {
			t.Fatal(err)
		}
		grew := after.TotalAlloc - before.TotalAlloc
		limit := uint64(12*n + 1<<20) // the tensors, plus the header and a read chunk
		if !sized {
			limit = 2*12*n + 1<<20 // buffers grow geometrically as data arrives
		}
		if grew > limit {
			t.Errorf("sized %v: reading %d data bytes allocated %d bytes, limit %d", sized, n, grew, limit)
		}
		if len(f.Tensors[0].Ints) != n || len(f.Tensors[0].Data) != n {
			t.Fatal("wrong size")
		}
	}
}

func TestGetAndMap(t *testing.T) {
	f := &File{Tensors: []Tensor{
		{Name: "a", Shape: []int{1}, Data: []float32{1}},
		{Name: "b", Shape: []int{}, Data: []float32{2}},
	}}
	if x, ok := f.Get("b"); !ok || x.Data[0] != 2 {
		t.Errorf("Get(b) = %v, %v", x, ok)
	}
	if x, ok := f.Get("c"); ok || x.Name != "" || x.Data != nil {
		t.Errorf("Get(c) = %v, %v; want zero, false", x, ok)
	}
	m := f.Map()
	if len(m) != 2 || m["a"].Data[0] != 1 || m["b"].Data[0] != 2 {
		t.Errorf("Map() = %v", m)
	}
	m["a"] = Tensor{}
	if _, ok := f.Get("a"); !ok {
		t.Error("changing the map changed the file")
	}
}

package safetensors

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
)

// torchDump is the JSON written by testdata/torch_interop.py.
type torchDump struct {
	Metadata map[string]string `json:"metadata"`
	Tensors  map[string]struct {
		DType DType    `json:"dtype"`
		Shape []int    `json:"shape"`
		Bits  []int32  `json:"bits"` // float32 bit patterns, as signed ints
		Ints  []string `json:"ints"` // exact values of integer tensors, decimal
	} `json:"tensors"`
}

// checkDump compares a decoded file with torch's view of it, bit for bit.
func checkDump(t *testing.T, f *File, d torchDump) {
	t.Helper()
	if len(f.Tensors) != len(d.Tensors) {
		t.Fatalf("%d tensors, torch has %d", len(f.Tensors), len(d.Tensors))
	}
	for name, want := range d.Tensors {
		got, ok := f.Get(name)
		if !ok {
			t.Errorf("tensor %q missing", name)
			continue
		}
		if !slices.Equal(got.Shape, want.Shape) {
			t.Errorf("tensor %q: shape %v, torch %v", name, got.Shape, want.Shape)
		}
		if want.DType != "" && want.DType != got.DType.orF32() {
			t.Errorf("tensor %q: dtype %s, torch %s", name, got.DType.orF32(), want.DType)
		}
		if got.DType.IsInteger() {
			ints := got.Ints
			if ints == nil {
				for _, v := range got.Data {
					ints = append(ints, int64(v))
				}
			}
			if len(ints) != len(want.Ints) {
				t.Errorf("tensor %q: %d values, torch %d", name, len(ints), len(want.Ints))
				continue
			}
			for i, s := range want.Ints {
				if v := strconv.FormatInt(ints[i], 10); v != s {
					t.Errorf("tensor %q[%d] = %s, torch %s", name, i, v, s)
				}
			}
			continue
		}
		if len(got.Data) != len(want.Bits) {
			t.Errorf("tensor %q: %d elements, torch %d", name, len(got.Data), len(want.Bits))
			continue
		}
		for i, b := range want.Bits {
			if g := math.Float32bits(got.Data[i]); g != uint32(b) {
				t.Errorf("tensor %q[%d]: %v (%#08x), torch %v (%#08x)", name, i,
					got.Data[i], g, math.Float32frombits(uint32(b)), uint32(b))
			}
		}
	}
	if len(f.Metadata) != len(d.Metadata) {
		t.Errorf("metadata %q, torch %q", f.Metadata, d.Metadata)
	}
	for k, v := range d.Metadata {
		if f.Metadata[k] != v {
			t.Errorf("metadata %q = %q, torch %q", k, f.Metadata[k], v)
		}
	}
}

// TestTorchReference reads a file written from PyTorch tensors (F32, F64,
// F16 with subnormals, Inf and NaN, BF16, a scalar, an empty tensor) in
// the reference layout, and compares with torch's own float32 conversion.
// Regenerate with: python3 testdata/torch_interop.py gen
// testdata/torch_ref.safetensors testdata/torch_ref.json
func TestTorchReference(t *testing.T) {
	f, err := ReadFile(filepath.Join("testdata", "torch_ref.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join("testdata", "torch_ref.json"))
	if err != nil {
		t.Fatal(err)
	}
	var d torchDump
	if err := json.Unmarshal(raw, &d); err != nil {
		t.Fatal(err)
	}
	checkDump(t, f, d)
}

// TestTorchLoadsGoFile writes a file with Write and loads it in PyTorch
// through testdata/torch_interop.py. It needs Python with torch, so it
// runs only when SAFETENSORS_TORCH=1; SAFETENSORS_PYTHON names the
// interpreter (default python3).
func TestTorchLoadsGoFile(t *testing.T) {
	if os.Getenv("SAFETENSORS_TORCH") != "1" {
		t.Skip("set SAFETENSORS_TORCH=1 to check against PyTorch")
	}
	python := os.Getenv("SAFETENSORS_PYTHON")
	if python == "" {
		python = "python3"
	}
	data := make([]float32, 2*3*4)
	for i := range data {
		data[i] = float32(math.Sin(float64(i))) * 100
	}
	tensors := []Tensor{
		{Name: "layer.0.weight", Shape: []int{2, 3, 4}, Data: data},
		{Name: "layer.0.bias", Shape: []int{3}, Data: []float32{-1.5, float32(math.Inf(1)), 1e-42}},
		{Name: "scalar", Shape: []int{}, Data: []float32{42}},
		{Name: "empty", Shape: []int{2, 0}, Data: nil},
		// A BatchNorm's counter, written from float32 as spikego keeps it,
		// the way torch writes it: I64.
		{Name: "bn.num_batches_tracked", Shape: []int{}, DType: I64, Data: []float32{600}},
		{Name: "steps", Shape: []int{3}, DType: I64, Ints: []int64{math.MinInt64, 1<<24 + 1, math.MaxInt64}},
		{Name: "i32", Shape: []int{2}, DType: I32, Ints: []int64{math.MinInt32, math.MaxInt32}},
		{Name: "i16", Shape: []int{1}, DType: I16, Data: []float32{-300}},
		{Name: "i8", Shape: []int{2}, DType: I8, Data: []float32{-128, 127}},
		{Name: "u8", Shape: []int{2}, DType: U8, Ints: []int64{0, 255}},
		{Name: "mask", Shape: []int{2}, DType: Bool, Data: []float32{1, 0}},
	}
	meta := map[string]string{"format": "pt", "source": "spikego <test>"}
	path := filepath.Join(t.TempDir(), "go.safetensors")
	if err := WriteFile(path, tensors, meta); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(python, filepath.Join("testdata", "torch_interop.py"), "read", path).Output()
	if err != nil {
		t.Fatalf("%s: %v", python, err)
	}
	var d torchDump
	if err := json.Unmarshal(out, &d); err != nil {
		t.Fatalf("%v in %s", err, out)
	}
	checkDump(t, &File{Tensors: tensors, Metadata: meta}, d)
}

// torchDtypes is testdata/torch_dtypes.json, written by
// tools/golden/gen_safetensors_dtypes.py.
type torchDtypes struct {
	Metadata map[string]string `json:"metadata"`
	Tensors  map[string]struct {
		DType        DType    `json:"dtype"`
		Shape        []int    `json:"shape"`
		F32          []string `json:"f32"`  // float32 bits of torch's tensor.to(torch.float32), hex
		Ints         []string `json:"ints"` // exact values, decimal
		ExactF32     bool     `json:"exact_f32"`
		FirstInexact *int     `json:"first_inexact"`
	} `json:"tensors"`
}

// TestTorchDtypes reads a file written from the storage of real PyTorch
// tensors of every dtype torch 1.13 puts in a state_dict (among them a
// BatchNorm2d's I64 num_batches_tracked) and checks that Read returns
// exactly torch's values: the integers digit for digit, float32 values
// bit for bit as torch converts them, and, where float32 cannot hold an
// integer exactly, no Data and an error from Float32s naming the first
// such element.
func TestTorchDtypes(t *testing.T) {
	f, err := ReadFile(filepath.Join("testdata", "torch_dtypes.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	checkInvariants(t, f)
	raw, err := os.ReadFile(filepath.Join("testdata", "torch_dtypes.json"))
	if err != nil {
		t.Fatal(err)
	}
	var g torchDtypes
	if err := json.Unmarshal(raw, &g); err != nil {
		t.Fatal(err)
	}
	if len(f.Tensors) != len(g.Tensors) || len(g.Tensors) < 20 {
		t.Fatalf("%d tensors, torch wrote %d", len(f.Tensors), len(g.Tensors))
	}
	seen := map[DType]bool{}
	for name, want := range g.Tensors {
		got, ok := f.Get(name)
		if !ok {
			t.Errorf("tensor %q missing", name)
			continue
		}
		seen[got.DType] = true
		if got.DType != want.DType || !slices.Equal(got.Shape, want.Shape) {
			t.Errorf("tensor %q: %s %v, torch %s %v", name, got.DType, got.Shape, want.DType, want.Shape)
			continue
		}
		wantBits := make([]uint32, len(want.F32))
		for i, h := range want.F32 {
			b, err := strconv.ParseUint(h, 0, 32)
			if err != nil {
				t.Fatal(err)
			}
			wantBits[i] = uint32(b)
		}
		if !want.DType.IsInteger() {
			if got.Ints != nil {
				t.Errorf("tensor %q: Ints set for a float dtype", name)
			}
			checkBits(t, name, got.Data, wantBits)
			continue
		}
		if len(got.Ints) != len(want.Ints) {
			t.Errorf("tensor %q: %d Ints, torch %d", name, len(got.Ints), len(want.Ints))
			continue
		}
		for i, s := range want.Ints {
			if v := strconv.FormatInt(got.Ints[i], 10); v != s {
				t.Errorf("tensor %q[%d] = %s, torch %s", name, i, v, s)
			}
		}
		f32, err := got.Float32s()
		if want.ExactF32 {
			if err != nil {
				t.Errorf("tensor %q: Float32s: %v", name, err)
			}
			checkBits(t, name, got.Data, wantBits)
			checkBits(t, name+" (Float32s)", f32, wantBits)
			continue
		}
		if got.Data != nil {
			t.Errorf("tensor %q: Data set although torch's float32 conversion is inexact", name)
		}
		wantErr := fmt.Sprintf("safetensors: tensor %q (%s): element %d is %s, which float32 cannot represent exactly",
			name, want.DType, *want.FirstInexact, want.Ints[*want.FirstInexact])
		if err == nil || err.Error() != wantErr || f32 != nil {
			t.Errorf("tensor %q: Float32s = %d values, %v; want error %q", name, len(f32), err, wantErr)
		}
	}
	for _, d := range []DType{F64, F32, F16, BF16, I64, I32, I16, I8, U8, Bool} {
		if !seen[d] {
			t.Errorf("no %s tensor in the fixture", d)
		}
	}
	nbt, _ := f.Get("1.num_batches_tracked")
	if nbt.DType != I64 || len(nbt.Ints) != 1 || nbt.Ints[0] != 5 || len(nbt.Data) != 1 || nbt.Data[0] != 5 {
		t.Errorf("num_batches_tracked = %+v, want I64 5", nbt)
	}
	if f.Metadata["format"] != "pt" {
		t.Errorf("metadata %q", f.Metadata)
	}
}

// checkBits compares float32 values with bit patterns.
func checkBits(t *testing.T, name string, got []float32, want []uint32) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("tensor %q: %d values, torch %d", name, len(got), len(want))
		return
	}
	for i, w := range want {
		if g := math.Float32bits(got[i]); g != w {
			t.Errorf("tensor %q[%d] = %v (%#08x), torch %v (%#08x)", name, i, got[i], g, math.Float32frombits(w), w)
		}
	}
}

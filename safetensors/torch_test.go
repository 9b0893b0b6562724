package safetensors

import (
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
)

// torchDump is the JSON written by testdata/torch_interop.py.
type torchDump struct {
	Metadata map[string]string `json:"metadata"`
	Tensors  map[string]struct {
		Shape []int   `json:"shape"`
		Bits  []int32 `json:"bits"` // float32 bit patterns, as signed ints
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

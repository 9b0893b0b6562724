// Package golden reads the golden-value files that tools/golden/gen_golden.py
// writes from PyTorch, and compares float32 results against them. Every float
// in those files is a string holding its IEEE-754 float32 bit pattern in hex,
// so that NaN, infinities and -0 survive JSON exactly.
package golden

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strconv"
)

// F32 is a float32 stored as its hex bit pattern ("0x3f800000").
type F32 float32

// UnmarshalJSON decodes a hex bit-pattern string.
func (f *F32) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("golden: float must be a hex string: %w", err)
	}
	u, err := strconv.ParseUint(s, 0, 32)
	if err != nil {
		return fmt.Errorf("golden: bad float bit pattern %q: %w", s, err)
	}
	*f = F32(math.Float32frombits(uint32(u)))
	return nil
}

// Floats is a list of hex-encoded float32 values.
type Floats []F32

// Slice returns the values as []float32 (never nil).
func (fs Floats) Slice() []float32 {
	out := make([]float32, len(fs))
	for i, f := range fs {
		out[i] = float32(f)
	}
	return out
}

// Load decodes the JSON file at path into v.
func Load(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("golden: %s: %w", path, err)
	}
	return nil
}

// Close reports whether got matches want: both NaN, equal (including the
// sign of infinities), or within tol relative to max(|want|, scale) where
// scale is the magnitude the value was computed from (use 0 for a pure
// relative check).
func Close(got, want float32, tol, scale float64) bool {
	g, w := float64(got), float64(want)
	switch {
	case math.IsNaN(w):
		return math.IsNaN(g)
	case math.IsInf(w, 0) || math.IsInf(g, 0):
		return g == w
	}
	return math.Abs(g-w) <= tol*math.Max(math.Abs(w), scale)
}

// Compare returns a description of the first element where got differs
// from want (see Close), or "" when all match.
func Compare(got, want []float32, tol, scale float64) string {
	if len(got) != len(want) {
		return fmt.Sprintf("length %d, want %d", len(got), len(want))
	}
	for i := range want {
		if !Close(got[i], want[i], tol, scale) {
			return fmt.Sprintf("element %d = %v (%#08x), want %v (%#08x)", i, got[i], math.Float32bits(got[i]), want[i], math.Float32bits(want[i]))
		}
	}
	return ""
}

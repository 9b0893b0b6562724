package nn

import (
	"fmt"
	"math"
	"os"
	"testing"

	"github.com/spikego/spikego/autograd"
	"github.com/spikego/spikego/internal/golden"
	"github.com/spikego/spikego/tensor"
)

// spikeLossGolden is nn/testdata/spikeloss_golden.json, written by
// tools/golden/gen_loss_golden.py from PyTorch and snnTorch.
type spikeLossGolden struct {
	Torch    string `json:"torch"`
	SNNTorch string `json:"snntorch"`
	Cases    []struct {
		Spec   string
		Input  string // spikes, sparse (0/1 as a string), mem, ties (hex floats)
		Shape  []int
		X      any
		Labels []int
		Value  golden.F32
		Grad   golden.Floats
	}
}

// Tolerances of the golden comparison. spikego accumulates every sum of a
// loss in float64 and rounds once or twice; PyTorch rounds each float32
// intermediate (the log-softmax of each element, the mean over the batch,
// the sum over steps). Each rounding errs by at most 2^-24 ≈ 6e-8 of its
// operand, and the operands can be much larger than the result: a
// cross-entropy of 0.05 is log-sum-exp ≈ 3 minus a logit ≈ 3, a gradient
// element softmax-1 ≈ -0.05 is 0.95 minus 1. So the value is compared
// relative to max(|value|, 1) and each gradient element relative to
// max(largest |gradient element|, 1/(T·B)), the size of the terms of the
// gradient of a mean over the T·B rows. Over these cases PyTorch's errors
// reach 2.2e-7 (about four roundings); 1e-6 leaves a margin of four and is far
// below the error of any wrong formula (a wrong sign, step, reduction or
// target changes the loss by 1e-2 or more).
const spikeLossTol = 1e-6

func loadSpikeLossGolden(t *testing.T) spikeLossGolden {
	t.Helper()
	var g spikeLossGolden
	if err := golden.Load("testdata/spikeloss_golden.json", &g); err != nil {
		t.Fatal(err)
	}
	if len(g.Cases) == 0 {
		t.Fatal("no golden cases")
	}
	return g
}

// goldenInput decodes a case's input: a '0'/'1' string for spikes, hex
// floats for membranes.
func goldenInput(shape []int, x any) (*tensor.Tensor, error) {
	n := 1
	for _, d := range shape {
		n *= d
	}
	data := make([]float32, n)
	switch v := x.(type) {
	case string:
		if len(v) != n {
			return nil, fmt.Errorf("spike string of %d characters for shape %v", len(v), shape)
		}
		for i, c := range v {
			if c == '1' {
				data[i] = 1
			}
		}
	case []any:
		if len(v) != n {
			return nil, fmt.Errorf("%d floats for shape %v", len(v), shape)
		}
		for i, e := range v {
			var f golden.F32
			if err := f.UnmarshalJSON([]byte(fmt.Sprintf("%q", e))); err != nil {
				return nil, err
			}
			data[i] = float32(f)
		}
	default:
		return nil, fmt.Errorf("input of type %T", x)
	}
	return tensor.FromSlice(data, shape...)
}

// relErr returns |got-want| relative to scale.
func relErr(got, want float32, scale float64) float64 {
	return math.Abs(float64(got)-float64(want)) / math.Max(scale, math.SmallestNonzeroFloat64)
}

func TestSpikeLossGolden(t *testing.T) {
	g := loadSpikeLossGolden(t)
	var worstValue, worstGrad float64
	specs := map[string]bool{}
	for i, c := range g.Cases {
		specs[c.Spec] = true
		name := fmt.Sprintf("%d/%s/%v/%s", i, c.Spec, c.Shape, c.Input)
		t.Run(name, func(t *testing.T) {
			x, err := goldenInput(c.Shape, c.X)
			if err != nil {
				t.Fatal(err)
			}
			loss, err := NewSpikeLoss(c.Spec)
			if err != nil {
				t.Fatal(err)
			}
			wantInput := SpikeInput
			if c.Input == "mem" || c.Input == "ties" {
				wantInput = MembraneInput
			}
			if loss.Input() != wantInput && c.Spec != "cross_entropy_rate" && c.Spec != "ce_rate_loss" {
				t.Errorf("Input() = %v for a %s case", loss.Input(), c.Input)
			}
			xv := autograd.NewVar(x, true)
			v, err := loss.Loss(xv, c.Labels)
			if err != nil {
				t.Fatal(err)
			}
			if v.Value().Dims() != 0 {
				t.Fatalf("loss of shape %v, want a 0-d Var", v.Shape())
			}
			if err := autograd.Backward(v, nil); err != nil {
				t.Fatal(err)
			}
			want := float32(c.Value)
			if !golden.Close(v.Value().Item(), want, spikeLossTol, 1) {
				t.Errorf("value %v (%#08x), want %v (%#08x)", v.Value().Item(), math.Float32bits(v.Value().Item()), want, math.Float32bits(want))
			}
			worstValue = math.Max(worstValue, relErr(v.Value().Item(), want, math.Max(math.Abs(float64(want)), 1)))
			wantGrad := c.Grad.Slice()
			scale := 1 / float64(c.Shape[0]*c.Shape[1])
			for _, w := range wantGrad {
				scale = math.Max(scale, math.Abs(float64(w)))
			}
			gotGrad := make([]float32, len(wantGrad))
			if xv.Grad() != nil {
				gotGrad = xv.Grad().Data()
			}
			if msg := golden.Compare(gotGrad, wantGrad, spikeLossTol, scale); msg != "" {
				t.Errorf("gradient: %s", msg)
			}
			for j := range wantGrad {
				worstGrad = math.Max(worstGrad, relErr(gotGrad[j], wantGrad[j], scale))
			}
		})
	}
	for _, n := range SpikeLossNames() {
		if !specs[n] {
			t.Errorf("no golden case for %s with its defaults", n)
		}
	}
	if os.Getenv("SPIKELOSS_REPORT") != "" {
		t.Logf("largest difference from PyTorch relative to the tolerance's scale: value %.3g, gradient %.3g", worstValue, worstGrad)
	}
}

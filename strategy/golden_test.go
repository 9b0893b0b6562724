package strategy_test

import (
	"math"
	"slices"
	"testing"

	"github.com/spikego/spikego/autograd"
	"github.com/spikego/spikego/internal/golden"
	"github.com/spikego/spikego/strategy"
	"github.com/spikego/spikego/tensor"
)

type goldenCase struct {
	Label          string        `json:"label"`
	Name           string        `json:"name"`
	Mode           string        `json:"mode"`
	Inh            golden.F32    `json:"inh"`
	Shape          []int         `json:"shape"`
	Mem            golden.Floats `json:"mem"`
	X              golden.Floats `json:"x"`
	Xori           golden.Floats `json:"xori"`
	ThresholdShape []int         `json:"threshold_shape"`
	Threshold      golden.Floats `json:"threshold"`
	GradOut        golden.Floats `json:"grad_out"`
	NewMem         golden.Floats `json:"new_mem"`
	XMaxIndexShape []int         `json:"x_max_index_shape"`
	XMaxIndex      []int         `json:"x_max_index"`
	GradMem        golden.Floats `json:"grad_mem"`
	GradX          golden.Floats `json:"grad_x"`
	GradXori       golden.Floats `json:"grad_xori"`
	GradThreshold  golden.Floats `json:"grad_threshold"`
}

func fromSlice(t *testing.T, data []float32, shape []int) *tensor.Tensor {
	t.Helper()
	if len(shape) == 0 {
		if len(data) != 1 {
			t.Fatalf("0-d tensor with %d values", len(data))
		}
		return tensor.Scalar(data[0])
	}
	v, err := tensor.FromSlice(data, shape...)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// broadcastTo returns v (of a shape broadcastable to shape) stretched to
// shape.
func broadcastTo(t *testing.T, v *tensor.Tensor, shape []int) []float32 {
	t.Helper()
	b, err := tensor.Mul(tensor.Ones(shape...), v)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(b.Shape(), shape) {
		t.Fatalf("%v does not broadcast to %v", v.Shape(), shape)
	}
	return b.Data()
}

// TestGolden checks LateralInhibition against PyTorch's results for
// BrainCog's formulas (tools/golden/gen_golden.py): the new membrane and
// the gradients of (new_mem * grad_out).sum() with respect to the old
// membrane, x, xori and the threshold.
func TestGolden(t *testing.T) {
	var file struct {
		Notes []string     `json:"notes"`
		Cases []goldenCase `json:"cases"`
	}
	if err := golden.Load("testdata/golden.json", &file); err != nil {
		t.Fatal(err)
	}
	if len(file.Cases) < 30 {
		t.Fatalf("only %d golden cases", len(file.Cases))
	}
	modes := map[string]int{}
	for _, c := range file.Cases {
		t.Run(c.Label, func(t *testing.T) {
			if c.Name != "LateralInhibition" {
				t.Fatalf("case of %q", c.Name)
			}
			modes[c.Mode]++
			inh := float32(c.Inh)
			shape := c.Shape
			n := len(c.X)
			if len(shape) < 2 || len(c.Mem) != n || len(c.GradOut) != n || len(c.NewMem) != n || len(c.GradX) != n {
				t.Fatalf("malformed case: shape %v, %d x values", shape, n)
			}
			memStart := autograd.NewVar(fromSlice(t, c.Mem.Slice(), shape), true)
			node := &testNode{mem: memStart}
			var th *autograd.Var
			if c.Threshold != nil {
				th = autograd.NewVar(fromSlice(t, c.Threshold.Slice(), c.ThresholdShape), true)
				node.th = th
			}
			x := autograd.NewVar(fromSlice(t, c.X.Slice(), shape), true)
			var xori *autograd.Var
			if c.Xori != nil {
				xori = autograd.NewVar(fromSlice(t, c.Xori.Slice(), shape), true)
			}

			li, err := strategy.NewLateralInhibition(node, inh, strategy.Mode(c.Mode))
			if err != nil {
				t.Fatal(err)
			}
			out, err := li.Apply(x, xori)
			if err != nil {
				t.Fatal(err)
			}
			if out != x {
				t.Error("Apply did not return x itself")
			}
			newMem := node.Mem()
			if newMem == memStart {
				t.Fatal("Apply did not replace the membrane")
			}
			if !slices.Equal(newMem.Value().Shape(), shape) {
				t.Fatalf("new membrane shape %v, want %v", newMem.Value().Shape(), shape)
			}
			if msg := golden.Compare(newMem.Value().Data(), c.NewMem.Slice(), 0, 0); msg != "" {
				t.Errorf("new mem: %s", msg)
			}

			gradOut := c.GradOut.Slice()
			if err := autograd.Backward(newMem, fromSlice(t, slices.Clone(gradOut), shape)); err != nil {
				t.Fatal(err)
			}
			if memStart.Grad() == nil {
				t.Fatal("old membrane got no gradient")
			}
			if msg := golden.Compare(memStart.Grad().Data(), c.GradMem.Slice(), 0, 0); msg != "" {
				t.Errorf("grad mem: %s", msg)
			}

			// k, the factor of (max - x) in each element.
			k := make([]float32, n)
			switch c.Mode {
			case "constant":
				for i := range k {
					k[i] = inh
				}
			case "max":
				m, _, err := tensor.MaxAxis(xori.Value(), 1, true)
				if err != nil {
					t.Fatal(err)
				}
				for i, v := range broadcastTo(t, m, shape) {
					k[i] = inh * v
				}
			case "threshold":
				for i, v := range broadcastTo(t, th.Value(), shape) {
					k[i] = inh * v
				}
			default:
				t.Fatalf("mode %q", c.Mode)
			}

			// grad x: k*grad_out, bit-exact, except at the channel torch's
			// max picked, which also receives -sum_c(k*grad_out), a sum
			// whose order torch chooses: compare it relative to
			// |grad| + sum_c |k*grad_out|.
			if x.Grad() == nil {
				t.Fatal("x got no gradient")
			}
			chans := shape[1]
			inner := 1
			for _, d := range shape[2:] {
				inner *= d
			}
			if len(c.XMaxIndex) != n/chans {
				t.Fatalf("%d max indices for %d positions", len(c.XMaxIndex), n/chans)
			}
			gx, wantX := x.Grad().Data(), c.GradX.Slice()
			for o := 0; o < n/(chans*inner); o++ {
				for in := 0; in < inner; in++ {
					var scale float64
					for ch := 0; ch < chans; ch++ {
						i := (o*chans+ch)*inner + in
						scale += math.Abs(float64(k[i]) * float64(gradOut[i]))
					}
					arg := c.XMaxIndex[o*inner+in]
					for ch := 0; ch < chans; ch++ {
						i := (o*chans+ch)*inner + in
						tol, sc := 0.0, 0.0
						if ch == arg {
							tol, sc = 1e-6, math.Abs(float64(wantX[i]))+scale
						}
						if !golden.Close(gx[i], wantX[i], tol, sc) {
							t.Errorf("grad x[%d] (channel %d, argmax %d) = %v, want %v", i, ch, arg, gx[i], wantX[i])
						}
					}
				}
			}

			if xori != nil && xori.Grad() != nil {
				t.Errorf("xori got gradient %v; it only enters detached", xori.Grad())
			}
			if c.GradXori != nil {
				t.Errorf("golden grad_xori is not null")
			}

			switch {
			case th == nil && c.GradThreshold != nil:
				t.Error("golden has a threshold gradient but no threshold")
			case th != nil:
				if th.Grad() == nil {
					t.Fatal("threshold got no gradient")
				}
				if !slices.Equal(th.Grad().Shape(), c.ThresholdShape) {
					t.Fatalf("threshold grad shape %v, want %v", th.Grad().Shape(), c.ThresholdShape)
				}
				// A sum over the broadcast dimensions of
				// -inh*(max - x)*grad_out: compare relative to the sum of
				// the magnitudes of its terms.
				mx, _, err := tensor.MaxAxis(x.Value(), 1, true)
				if err != nil {
					t.Fatal(err)
				}
				mb := broadcastTo(t, mx, shape)
				var scale float64
				for i, xv := range c.X.Slice() {
					scale += math.Abs(float64(inh) * float64(mb[i]-xv) * float64(gradOut[i]))
				}
				if msg := golden.Compare(th.Grad().Data(), c.GradThreshold.Slice(), 1e-6, scale); msg != "" {
					t.Errorf("grad threshold: %s", msg)
				}
			}
		})
	}
	for _, m := range []string{"constant", "max", "threshold"} {
		if modes[m] == 0 {
			t.Errorf("no golden case for mode %s", m)
		}
	}
}

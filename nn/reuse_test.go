package nn

import (
	"fmt"
	"math"
	"testing"

	"github.com/spikego/spikego/autograd"
	"github.com/spikego/spikego/tensor"
)

// TestLayersUsedTwicePerStep applies each pooled layer twice in one
// forward pass, y = L(L(x)), for several training steps, and checks the
// output and the parameter gradients bit for bit against two separate
// layers with the same weights: the buffers of the first use, which the
// second use's Backward still needs, must not be reused by the second use,
// and those of one step not before its Backward is done. The output is
// checked after Backward too: it stays valid until the next step.
func TestLayersUsedTwicePerStep(t *testing.T) {
	rng := NewRand(5)
	newLinear := func() Module {
		l, err := NewLinear(6, 6, true, NewRand(7))
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	newConv := func() Module {
		c, err := NewConv2d(3, 3, 3, 1, 1, true, NewRand(7))
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	newBN := func() Module {
		b, err := NewBatchNorm2d(3)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	newPool := func() Module {
		p, err := NewMaxPool2d(2, 2)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, tc := range []struct {
		name    string
		make    func() Module
		shape   []int
		spikes  bool
		density float64
	}{
		{"Linear", newLinear, []int{5, 6}, false, 0},
		{"Linear on spikes", newLinear, []int{40, 6}, true, 0.1},
		{"Conv2d", newConv, []int{4, 3, 6, 6}, false, 0},
		{"Conv2d on spikes", newConv, []int{4, 3, 6, 6}, true, 0.1},
		{"BatchNorm2d", newBN, []int{4, 3, 5, 5}, false, 0},
		{"MaxPool2d", newPool, []int{2, 3, 8, 8}, false, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			shared, a, b := tc.make(), tc.make(), tc.make()
			for step := range 3 {
				x := tensor.New(tc.shape...)
				if tc.spikes {
					fillSpikes(rng, x.Data(), tc.density)
				} else {
					rng.FillUniform(x.Data(), 1)
				}
				g := func(y *tensor.Tensor) *tensor.Tensor {
					g := tensor.New(y.Shape()...)
					for i := range g.Data() {
						g.Data()[i] = float32(math.Sin(float64(i + step)))
					}
					return g
				}
				run := func(first, second Module) (*tensor.Tensor, []*tensor.Tensor) {
					t.Helper()
					xv := autograd.NewVar(x, true)
					h, err := first.Forward(xv)
					if err != nil {
						t.Fatal(err)
					}
					y, err := second.Forward(h)
					if err != nil {
						t.Fatal(err)
					}
					for _, m := range []Module{first, second} {
						for _, p := range m.Params() {
							p.Var.RecycleGrad()
						}
					}
					if err := autograd.Backward(y, g(y.Value())); err != nil {
						t.Fatal(err)
					}
					grads := []*tensor.Tensor{xv.Grad()}
					for _, p := range first.Params() {
						grads = append(grads, p.Var.Grad())
					}
					if first != second {
						// The shared layer's gradients are the sums of the
						// two uses' (second, then first).
						for i, p := range second.Params() {
							s, err := tensor.Add(p.Var.Grad(), grads[1+i])
							if err != nil {
								t.Fatal(err)
							}
							grads[1+i] = s
						}
					}
					return y.Value(), grads
				}
				y, grads := run(shared, shared)
				yr, want := run(a, b)
				if err := bitsDiffer(y, yr); err != nil {
					t.Fatalf("step %d: output: %v", step, err)
				}
				for i := range want {
					if err := bitsDiffer(grads[i], want[i]); err != nil {
						t.Errorf("step %d: gradient %d: %v", step, i, err)
					}
				}
			}
		})
	}
}

// bitsDiffer reports the first element where got and want differ in
// their bits.
func bitsDiffer(got, want *tensor.Tensor) error {
	if !got.SameShape(want) {
		return fmt.Errorf("shape %v, want %v", got.Shape(), want.Shape())
	}
	for i, v := range got.Data() {
		if math.Float32bits(v) != math.Float32bits(want.Data()[i]) {
			return fmt.Errorf("[%d] = %v, want %v", i, v, want.Data()[i])
		}
	}
	return nil
}

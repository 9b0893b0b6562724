package optim

import (
	"testing"

	"github.com/spikego/spikego/autograd"
	"github.com/spikego/spikego/tensor"
)

// TestStateDictResume checks that an optimizer restored from StateDict
// continues exactly as the original: three steps, save, then two more
// steps on both the original and a fresh optimizer loaded from the state.
func TestStateDictResume(t *testing.T) {
	type opt interface {
		Optimizer
		StateDict() map[string]*tensor.Tensor
		LoadStateDict(map[string]*tensor.Tensor) error
	}
	builders := map[string]func(ps []*autograd.Var) (opt, error){
		"adam":    func(ps []*autograd.Var) (opt, error) { return NewAdam(ps, DefaultAdam()) },
		"amsgrad": func(ps []*autograd.Var) (opt, error) { o := DefaultAdamW(); o.AMSGrad = true; return NewAdamW(ps, o) },
		"sgd":     func(ps []*autograd.Var) (opt, error) { return NewSGD(ps, SGDOptions{LR: 0.1, Momentum: 0.9}) },
	}
	for name, build := range builders {
		t.Run(name, func(t *testing.T) {
			mk := func() []*autograd.Var {
				a, _ := tensor.FromSlice([]float32{1, -2, 3}, 3)
				b, _ := tensor.FromSlice([]float32{0.5, 0.25}, 2)
				return []*autograd.Var{autograd.NewVar(a, true), autograd.NewVar(b, true)}
			}
			grads := func(ps []*autograd.Var, step int) {
				for j, p := range ps {
					g := tensor.New(p.Value().Len())
					for i := range g.Data() {
						g.Data()[i] = float32((step+1)*(i+1+j)) * 0.1
					}
					p.SetGrad(g)
				}
			}
			ps := mk()
			o, err := build(ps)
			if err != nil {
				t.Fatal(err)
			}
			for s := 0; s < 3; s++ {
				grads(ps, s)
				if err := o.Step(); err != nil {
					t.Fatal(err)
				}
			}
			sd := o.StateDict()
			if len(sd) == 0 {
				t.Fatal("empty state")
			}
			qs := mk()
			for i := range qs {
				copy(qs[i].Value().Data(), ps[i].Value().Data())
			}
			q, err := build(qs)
			if err != nil {
				t.Fatal(err)
			}
			if err := q.LoadStateDict(sd); err != nil {
				t.Fatal(err)
			}
			for s := 3; s < 5; s++ {
				grads(ps, s)
				grads(qs, s)
				if err := o.Step(); err != nil {
					t.Fatal(err)
				}
				if err := q.Step(); err != nil {
					t.Fatal(err)
				}
			}
			for i := range ps {
				for j, v := range ps[i].Value().Data() {
					if w := qs[i].Value().Data()[j]; v != w {
						t.Fatalf("param %d[%d]: original %v, restored %v", i, j, v, w)
					}
				}
			}
			sd["9.exp_avg"] = tensor.New(1)
			if err := q.LoadStateDict(sd); err == nil {
				t.Error("unknown entry accepted")
			}
		})
	}
}

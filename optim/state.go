package optim

import (
	"fmt"
	"strconv"

	"github.com/spikego/spikego/tensor"
)

// StateDict returns Adam's per-parameter state for checkpoints, keyed
// "<i>.step", "<i>.exp_avg", "<i>.exp_avg_sq" (and "<i>.max_exp_avg_sq"
// with AMSGrad), where i is the parameter's position in the list given to
// NewAdam; PyTorch's optimizer state_dict uses the same names. Parameters
// that have not been updated yet have no entries. The tensors are copies.
func (a *Adam) StateDict() map[string]*tensor.Tensor {
	out := map[string]*tensor.Tensor{}
	for i, st := range a.states {
		if st == nil {
			continue
		}
		p := strconv.Itoa(i) + "."
		out[p+"step"] = tensor.Scalar(float32(st.step))
		out[p+"exp_avg"] = vec(st.m)
		out[p+"exp_avg_sq"] = vec(st.v)
		if st.vmax != nil {
			out[p+"max_exp_avg_sq"] = vec(st.vmax)
		}
	}
	return out
}

// LoadStateDict restores state saved by StateDict. Every entry must name a
// parameter of this optimizer and have its number of elements.
func (a *Adam) LoadStateDict(sd map[string]*tensor.Tensor) error {
	states := make([]*adamState, len(a.params))
	for i, p := range a.params {
		pre := strconv.Itoa(i) + "."
		step, ok := sd[pre+"step"]
		if !ok {
			continue
		}
		n := p.Value().Len()
		st := &adamState{step: int(step.Item())}
		var err error
		if st.m, err = load(sd, pre+"exp_avg", n); err != nil {
			return err
		}
		if st.v, err = load(sd, pre+"exp_avg_sq", n); err != nil {
			return err
		}
		if _, ok := sd[pre+"max_exp_avg_sq"]; ok {
			if st.vmax, err = load(sd, pre+"max_exp_avg_sq", n); err != nil {
				return err
			}
		}
		st.fn = st.update
		states[i] = st
	}
	if err := unknownKeys(sd, len(a.params), "step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"); err != nil {
		return err
	}
	a.states = states
	return nil
}

// StateDict returns SGD's momentum buffers, keyed "<i>.momentum_buffer".
// The tensors are copies.
func (s *SGD) StateDict() map[string]*tensor.Tensor {
	out := map[string]*tensor.Tensor{}
	for i, st := range s.states {
		if st != nil && st.buf != nil {
			out[strconv.Itoa(i)+".momentum_buffer"] = vec(st.buf)
		}
	}
	return out
}

// LoadStateDict restores momentum buffers saved by StateDict.
func (s *SGD) LoadStateDict(sd map[string]*tensor.Tensor) error {
	states := make([]*sgdState, len(s.params))
	for i, p := range s.params {
		key := strconv.Itoa(i) + ".momentum_buffer"
		if _, ok := sd[key]; !ok {
			continue
		}
		buf, err := load(sd, key, p.Value().Len())
		if err != nil {
			return err
		}
		st := &sgdState{opt: s, buf: buf}
		st.fn = st.update
		states[i] = st
	}
	if err := unknownKeys(sd, len(s.params), "momentum_buffer"); err != nil {
		return err
	}
	s.states = states
	return nil
}

func vec(d []float32) *tensor.Tensor {
	t := tensor.New(len(d))
	copy(t.Data(), d)
	return t
}

func load(sd map[string]*tensor.Tensor, key string, n int) ([]float32, error) {
	t, ok := sd[key]
	if !ok {
		return nil, fmt.Errorf("optim: state lacks %q", key)
	}
	if t.Len() != n {
		return nil, fmt.Errorf("optim: state %q has %d elements, the parameter %d", key, t.Len(), n)
	}
	return append([]float32(nil), t.Data()...), nil
}

// unknownKeys reports an entry that names no parameter or no known field.
func unknownKeys(sd map[string]*tensor.Tensor, params int, fields ...string) error {
	for key := range sd {
		ok := false
		for i := 0; i < params && !ok; i++ {
			for _, f := range fields {
				if key == strconv.Itoa(i)+"."+f {
					ok = true
					break
				}
			}
		}
		if !ok {
			return fmt.Errorf("optim: unknown state entry %q", key)
		}
	}
	return nil
}

// Name returns "AdamW" for an optimizer built by NewAdamW, else "Adam".
func (a *Adam) Name() string {
	if a.decoupled {
		return "AdamW"
	}
	return "Adam"
}

// Name returns "SGD".
func (s *SGD) Name() string { return "SGD" }

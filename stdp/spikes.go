package stdp

import (
	"fmt"

	"github.com/spikego/spikego/tensor"
)

// Spike is the number of spikes one neuron emitted for one sample.
type Spike struct {
	Neuron int32
	Count  float32
}

// Spikes holds the spike counts of a batch, sample by sample, listing
// only the neurons that spiked. With winner-take-all a sample emits at
// most K spikes per step, so the lists are short.
type Spikes struct {
	per [][]Spike
	n   int
	// byNeuron scratch: for each neuron, the (sample, count) pairs.
	idx [][]sampleCount
}

type sampleCount struct {
	sample int32
	count  float32
}

// resize prepares s for n samples, keeping the capacity of its lists.
func (s *Spikes) resize(n int) {
	for len(s.per) < n {
		s.per = append(s.per, nil)
	}
	for i := 0; i < n; i++ {
		s.per[i] = s.per[i][:0]
	}
	s.n = n
}

// Len returns the number of samples.
func (s *Spikes) Len() int { return s.n }

// Sample returns the spike counts of sample b, in the order the neurons
// first spiked.
func (s *Spikes) Sample(b int) []Spike { return s.per[b] }

// Total returns the number of spikes of sample b.
func (s *Spikes) Total(b int) float32 {
	var t float32
	for _, e := range s.per[b] {
		t += e.Count
	}
	return t
}

// Dense returns the counts as a [Len, neurons] tensor. It is an error
// when a neuron index does not fit.
func (s *Spikes) Dense(neurons int) (*tensor.Tensor, error) {
	t := tensor.New(s.n, neurons)
	d := t.Data()
	for b := 0; b < s.n; b++ {
		for _, e := range s.per[b] {
			if int(e.Neuron) >= neurons || e.Neuron < 0 {
				return nil, fmt.Errorf("stdp: spike of neuron %d among %d", e.Neuron, neurons)
			}
			d[b*neurons+int(e.Neuron)] += e.Count
		}
	}
	return t, nil
}

// byNeuron returns, for every neuron, its (sample, count) pairs in sample
// order (a view into scratch space reused by the next call).
func (s *Spikes) byNeuron(neurons int) [][]sampleCount {
	for len(s.idx) < neurons {
		s.idx = append(s.idx, nil)
	}
	idx := s.idx[:neurons]
	for j := range idx {
		idx[j] = idx[j][:0]
	}
	for b := 0; b < s.n; b++ {
		for _, e := range s.per[b] {
			idx[e.Neuron] = append(idx[e.Neuron], sampleCount{int32(b), e.Count})
		}
	}
	return idx
}

// SpikesFromDense returns the spike counts of a [samples, neurons] tensor
// (non-negative counts; zeros are left out).
func SpikesFromDense(t *tensor.Tensor) (*Spikes, error) {
	if t == nil || t.Dims() != 2 {
		return nil, fmt.Errorf("stdp: spike counts must be [samples, neurons], got %v", shapeOf(t))
	}
	n, neurons := t.Dim(0), t.Dim(1)
	s := &Spikes{}
	s.resize(n)
	d := t.Data()
	for b := 0; b < n; b++ {
		for j, v := range d[b*neurons : (b+1)*neurons] {
			if v < 0 || v != v {
				return nil, fmt.Errorf("stdp: spike count %v of sample %d, neuron %d", v, b, j)
			}
			if v != 0 {
				s.per[b] = append(s.per[b], Spike{Neuron: int32(j), Count: v})
			}
		}
	}
	return s, nil
}

func shapeOf(t *tensor.Tensor) any {
	if t == nil {
		return "nil"
	}
	return t.Shape()
}

// SpikesFromLists returns the spike counts of samples stored one after
// the other: sample b holds spikes[off[b]:off[b+1]]. The lists are
// shared, not copied.
func SpikesFromLists(spikes []Spike, off []int) *Spikes {
	s := &Spikes{}
	if len(off) == 0 {
		return s
	}
	s.n = len(off) - 1
	s.per = make([][]Spike, s.n)
	for b := range s.per {
		s.per[b] = spikes[off[b]:off[b+1]:off[b+1]]
	}
	return s
}

package stdp

import (
	"errors"
	"fmt"
	"math"
)

// Voting is BrainCog's voting layer of the unsupervised STDP example
// (codef.py's voting class with the example's epoch loop around it): it
// turns the spikes of unlabelled neurons into a classifier.
//
// During an epoch, Add collects for every label the spike counts of its
// samples. At the end of the epoch, Assign updates every neuron's rate
// memory and gives each neuron the label it fires most for:
//
//	rates[j,i] = Alpha·rates[j,i] + (spikes of j over samples of label i) / (samples of label i)
//	label[j]   = argmax_i rates[j,i]      (first label on ties)
//	rates      = Decay·rates              (kept for the next epoch)
//
// (labels absent from the epoch keep their rates), with BrainCog's Alpha
// 1 and the example's Decay 0.5. Predict gives a sample the label whose
// neurons have the largest mean spike count (first label on ties).
//
// A neuron that has never spiked has all rates 0 and, as in BrainCog
// (torch.max returns the first index), gets label 0, so it counts in
// label 0's mean and lowers it. With ExcludeSilent it gets no label
// (Labels reports -1) and is left out of every mean.
type Voting struct {
	neurons, labels int
	// Alpha weighs the previous rates in Assign (BrainCog's alpha, 1).
	Alpha float32
	// Decay multiplies the rates after Assign (the example's 0.5).
	Decay float32
	// ExcludeSilent leaves neurons that have never spiked without a
	// label instead of giving them label 0.
	ExcludeSilent bool

	rates  []float32 // [neurons, labels], decayed
	assign []int     // [neurons], -1 before the first Assign

	// The epoch's sums: spikes per neuron and label, samples per label.
	sum    []float64
	counts []int
}

// NewVoting returns a voting readout of neurons neurons over labels
// labels, with BrainCog's Alpha 1, the example's Decay 0.5 and silent
// neurons given label 0.
func NewVoting(neurons, labels int) (*Voting, error) {
	if neurons < 1 || labels < 1 {
		return nil, fmt.Errorf("stdp: voting needs positive sizes, got %d neurons and %d labels", neurons, labels)
	}
	v := &Voting{
		neurons: neurons, labels: labels, Alpha: 1, Decay: 0.5,
		rates:  make([]float32, neurons*labels),
		assign: make([]int, neurons),
		sum:    make([]float64, neurons*labels),
		counts: make([]int, labels),
	}
	for j := range v.assign {
		v.assign[j] = -1
	}
	return v, nil
}

// Neurons returns the number of neurons.
func (v *Voting) Neurons() int { return v.neurons }

// NumLabels returns the number of labels.
func (v *Voting) NumLabels() int { return v.labels }

// Add adds a batch's spike counts and labels to the epoch's sums.
func (v *Voting) Add(s *Spikes, labels []int) error {
	if s.Len() != len(labels) {
		return fmt.Errorf("stdp: voting: %d samples but %d labels", s.Len(), len(labels))
	}
	for b, y := range labels {
		if y < 0 || y >= v.labels {
			return fmt.Errorf("stdp: voting: label %d of sample %d out of [0, %d)", y, b, v.labels)
		}
		for _, e := range s.Sample(b) {
			if int(e.Neuron) >= v.neurons || e.Neuron < 0 {
				return fmt.Errorf("stdp: voting: spike of neuron %d among %d", e.Neuron, v.neurons)
			}
		}
	}
	for b, y := range labels {
		v.counts[y]++
		for _, e := range s.Sample(b) {
			v.sum[int(e.Neuron)*v.labels+y] += float64(e.Count)
		}
	}
	return nil
}

// Assign ends the epoch: it updates the rates with the epoch's sums,
// assigns the labels, decays the rates and clears the sums. It returns
// the labels (shared; -1 for a neuron left out by ExcludeSilent, or for
// all before any epoch with samples).
func (v *Voting) Assign() []int {
	L := v.labels
	cur := make([]float32, L)
	for j := 0; j < v.neurons; j++ {
		row := v.rates[j*L : (j+1)*L]
		for i := 0; i < L; i++ {
			cur[i] = row[i]
			if n := v.counts[i]; n > 0 {
				cur[i] = v.Alpha*row[i] + float32(v.sum[j*L+i])/float32(n)
			}
		}
		best, silent := 0, true
		for i, r := range cur {
			if r != 0 {
				silent = false
			}
			if r > cur[best] || (r != r && cur[best] == cur[best]) {
				best = i
			}
		}
		if silent && v.ExcludeSilent {
			best = -1
		}
		v.assign[j] = best
		for i := range row {
			row[i] = v.Decay * cur[i]
		}
	}
	clear(v.sum)
	clear(v.counts)
	return v.assign
}

// Labels returns every neuron's label (shared; -1: none).
func (v *Voting) Labels() []int { return v.assign }

// Rates returns the decayed rate memory [neurons, labels] (shared).
func (v *Voting) Rates() []float32 { return v.rates }

// SetState restores the rates and labels (from a checkpoint).
func (v *Voting) SetState(rates []float32, labels []int) error {
	if len(rates) != len(v.rates) || len(labels) != len(v.assign) {
		return fmt.Errorf("stdp: voting state of %d rates and %d labels, want %d and %d", len(rates), len(labels), len(v.rates), len(v.assign))
	}
	for _, l := range labels {
		if l < -1 || l >= v.labels {
			return fmt.Errorf("stdp: voting label %d out of range", l)
		}
	}
	copy(v.rates, rates)
	copy(v.assign, labels)
	return nil
}

// NeuronsPerLabel returns how many neurons carry each label.
func (v *Voting) NeuronsPerLabel() []int {
	n := make([]int, v.labels)
	for _, l := range v.assign {
		if l >= 0 {
			n[l]++
		}
	}
	return n
}

// Predict writes into dst the predicted label of every sample of s: the
// label whose neurons have the largest mean spike count (labels without
// neurons score 0; first label on ties, as BrainCog's descending sort).
// dst must have s.Len() elements. Before the first Assign it is an error.
func (v *Voting) Predict(s *Spikes, dst []int) error {
	if len(dst) != s.Len() {
		return fmt.Errorf("stdp: voting: %d predictions for %d samples", len(dst), s.Len())
	}
	per := v.NeuronsPerLabel()
	assigned := false
	for _, n := range per {
		if n > 0 {
			assigned = true
		}
	}
	if !assigned {
		return errors.New("stdp: voting: no neuron has a label yet (Assign after an epoch)")
	}
	score := make([]float64, v.labels)
	for b := range dst {
		clear(score)
		for _, e := range s.Sample(b) {
			if l := v.assign[e.Neuron]; l >= 0 {
				score[l] += float64(e.Count)
			}
		}
		best := 0
		bs := float32(math.Inf(-1))
		for i := range score {
			var r float32
			if per[i] > 0 {
				r = float32(score[i]) / float32(per[i])
			}
			if r > bs {
				best, bs = i, r
			}
		}
		dst[b] = best
	}
	return nil
}

// EpochSums returns what Add collected since the last Assign: the spikes
// per neuron and label [neurons×labels] and the samples per label
// (shared, to save and restore an interrupted epoch).
func (v *Voting) EpochSums() (spikes []float64, samples []int) { return v.sum, v.counts }

package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Rand is a seeded random source for initialisation and dropout, so that
// runs repeat exactly. It is not safe for concurrent use.
type Rand struct {
	src *rand.PCG
	r   *rand.Rand
}

// NewRand returns a source seeded with seed.
func NewRand(seed uint64) *Rand {
	src := rand.NewPCG(seed, 0x853c49e6748fea9b)
	return &Rand{src: src, r: rand.New(src)}
}

// MarshalBinary returns the state of the source, so that a checkpoint can
// record where it stands.
func (r *Rand) MarshalBinary() ([]byte, error) { return r.src.MarshalBinary() }

// UnmarshalBinary restores a state returned by MarshalBinary.
func (r *Rand) UnmarshalBinary(b []byte) error {
	if err := r.src.UnmarshalBinary(b); err != nil {
		return fmt.Errorf("nn: random state: %w", err)
	}
	return nil
}

// RandomState is implemented by modules that draw random numbers while
// training (Dropout), so that a checkpoint can record the state of their
// generator and a resumed run draw what an uninterrupted one would.
type RandomState interface {
	// Rand returns the module's generator.
	Rand() *Rand
}

// Uniform returns a float32 uniformly distributed in [lo, hi): lo plus
// (hi-lo)·u rounded to float32, then the sum rounded, on every platform
// (the conversion keeps the compiler from fusing the two into one
// multiply-add, which it may do on arm64 or with GOAMD64=v3).
func (r *Rand) Uniform(lo, hi float32) float32 {
	return lo + float32((hi-lo)*float32(r.r.Float64()))
}

// Normal returns a standard normal float32.
func (r *Rand) Normal() float32 { return float32(r.r.NormFloat64()) }

// Float64 returns a float64 in [0, 1).
func (r *Rand) Float64() float64 { return r.r.Float64() }

// Uint64 returns a uniformly distributed uint64 (for seeding other
// sources).
func (r *Rand) Uint64() uint64 { return r.r.Uint64() }

// FillUniform fills dst with values uniform in [-bound, bound).
func (r *Rand) FillUniform(dst []float32, bound float32) {
	for i := range dst {
		dst[i] = r.Uniform(-bound, bound)
	}
}

// KaimingUniformBound is the bound of PyTorch's default initialisation of
// Linear and Conv weights, kaiming_uniform_(a=sqrt(5)): gain·sqrt(3/fan_in)
// with gain = sqrt(2/(1+a²)), which is 1/sqrt(fan_in). Biases use the same
// bound.
func KaimingUniformBound(fanIn int) float32 {
	if fanIn <= 0 {
		return 0
	}
	return float32(1 / math.Sqrt(float64(fanIn)))
}

package stdp

import (
	"strings"
	"testing"
	"time"

	"github.com/spikego/spikego/dataset"
	"github.com/spikego/spikego/nn"
	"github.com/spikego/spikego/tensor"
)

// benchImages returns B images of smooth random strokes in [0, 1].
func benchImages(B int) *tensor.Tensor {
	rng := nn.NewRand(7)
	x := tensor.New(B, 1, 28, 28)
	d := x.Data()
	for i := range d {
		if v := rng.Uniform(-1, 1); v > 0 {
			d[i] = v
		}
	}
	return x
}

// BenchmarkConvRun times STDPConv.Run at the example's size (12 channels,
// 28×28, T=100); ns/op is per sample.
func BenchmarkConvRun(b *testing.B) {
	const B = 64
	c, err := NewSTDPConv(DefaultConvConfig(1, 12), nn.NewRand(1))
	if err != nil {
		b.Fatal(err)
	}
	x := benchImages(B)
	b.ResetTimer()
	for i := 0; i < b.N; i += B {
		if _, err := c.Run(x, 100); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLinearRun times STDPLinear.Run at the example's size (2352
// inputs, 6400 neurons, T=200); ns/op is per sample.
func BenchmarkLinearRun(b *testing.B) {
	const B = 64
	l, err := NewSTDPLinear(DefaultLinearConfig(2352, 6400), nn.NewRand(1))
	if err != nil {
		b.Fatal(err)
	}
	l.cfg.Inh = 25
	rng := nn.NewRand(3)
	x := tensor.New(B, 2352)
	for i := range x.Data() {
		x.Data()[i] = rng.Uniform(0, 1)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i += B {
		if _, err := l.Run(x, 200); err != nil {
			b.Fatal(err)
		}
	}
}

// benchNetwork times full-scale training steps (12 channels, 6400
// neurons, T=100 and 200, batch 1024) on Fashion-MNIST, as spikego stdp
// runs them; it reports ms of wall time and of processor time per sample.
// It is skipped when Fashion-MNIST is not installed.
func benchNetwork(b *testing.B, phase int) {
	set, err := dataset.Open("", dataset.Train)
	if err != nil || !strings.HasPrefix(set.Name, "fashion-mnist") {
		b.Skip("Fashion-MNIST is not installed")
	}
	net, err := NewNetwork(DefaultNetworkConfig())
	if err != nil {
		b.Fatal(err)
	}
	const B = 1024
	ld := dataset.NewLoader(set, B, dataset.Perm(set.N, 0))
	step := func() {
		x, _, ok := ld.Next()
		if !ok {
			ld.Reset(nil)
			x, _, _ = ld.Next()
		}
		if phase == 1 {
			_, err = net.Phase1Step(x)
		} else {
			_, err = net.Phase2Step(x)
		}
		if err != nil {
			b.Fatal(err)
		}
	}
	step() // warm-up (and, in phase 2, the thresholds)
	b.ResetTimer()
	c0, t0 := cpuSeconds(), time.Now()
	for i := 0; i < b.N; i++ {
		step()
	}
	b.ReportMetric(1000*time.Since(t0).Seconds()/float64(b.N*B), "ms/sample")
	b.ReportMetric(1000*(cpuSeconds()-c0)/float64(b.N*B), "cpu-ms/sample")
}

func BenchmarkNetworkPhase1(b *testing.B) { benchNetwork(b, 1) }
func BenchmarkNetworkPhase2(b *testing.B) { benchNetwork(b, 2) }

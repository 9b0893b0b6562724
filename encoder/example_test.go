package encoder_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/spikego/spikego/encoder"
	"github.com/spikego/spikego/tensor"
)

func ExampleDirect() {
	x, _ := tensor.FromSlice([]float32{0.2, 0.8}, 1, 2) // [B=1, 2]
	out, _ := encoder.Direct(x, 3)
	fmt.Println(out)
	// Output:
	// Tensor[3 1 2][0.2 0.8 0.2 0.8 0.2 0.8]
}

func ExamplePoisson() {
	x, _ := tensor.FromSlice([]float32{0, 0.5, 1}, 1, 3)
	rng := rand.New(rand.NewPCG(1, 2))
	out, _ := encoder.Poisson(x, 8, rng)
	d := out.Data()
	for i := range 3 {
		fmt.Printf("x=%.1f:", x.Data()[i])
		for t := range 8 {
			fmt.Printf(" %g", d[t*3+i])
		}
		fmt.Println()
	}
	// Output:
	// x=0.0: 0 0 0 0 0 0 0 0
	// x=0.5: 1 0 1 0 0 0 0 0
	// x=1.0: 1 1 1 1 1 1 1 1
}

func ExampleLatency() {
	x, _ := tensor.FromSlice([]float32{1, 0.5, 0.2, 0}, 1, 4)
	out, _ := encoder.Latency(x, 5)
	d := out.Data()
	for t := range 5 {
		fmt.Println("step", t, d[t*4:(t+1)*4])
	}
	// Output:
	// step 0 [1 0 0 0]
	// step 1 [0 0 0 0]
	// step 2 [0 1 0 0]
	// step 3 [0 0 1 0]
	// step 4 [0 0 0 0]
}

package viz_test

import (
	"fmt"
	"log"
	"os"

	"github.com/spikego/spikego/viz"
)

// ExampleSurrogateFigure writes the figure of three surrogate functions,
// with alpha 4 where they use it, to a PNG file.
func ExampleSurrogateFigure() {
	f, err := os.Create("surrogates.png")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	names := []string{"AtanGrad", "QGateGrad", "STDPGrad"}
	if err := viz.SurrogateFigure(f, names, 4, 1200, 450); err != nil {
		log.Fatal(err)
	}
	fmt.Println("wrote surrogates.png")
}

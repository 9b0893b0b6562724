package viz_test

import (
	"fmt"
	"log"
	"math"
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

// ExampleLearningCurves writes the learning curves of a three-epoch run
// to a PNG file of the default size.
func ExampleLearningCurves() {
	points := []viz.EpochPoint{
		{Epoch: 1, TrainLoss: 0.41, TrainAcc: 0.874, TestAcc: 0.941},
		{Epoch: 2, TrainLoss: 0.15, TrainAcc: 0.955, TestAcc: 0.963},
		{Epoch: 3, TrainLoss: 0.10, TrainAcc: 0.969, TestAcc: 0.970},
	}
	f, err := os.Create("curves.png")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	if err := viz.LearningCurves(f, points, 0, 0); err != nil {
		log.Fatal(err)
	}
	fmt.Println("wrote curves.png")
}

// ExampleTrainingCurves writes the learning curves of a one-epoch run,
// with the training loss and accuracy of each of its 20 windows of
// batches, to a PNG file of the default size.
func ExampleTrainingCurves() {
	epochs := []viz.EpochPoint{{Epoch: 1, TrainLoss: 0.62, TrainAcc: 0.79, TestAcc: 0.84}}
	var windows []viz.WindowPoint
	for i := 1; i <= 20; i++ {
		x := float64(i) / 20 // the window's end, in epochs
		windows = append(windows, viz.WindowPoint{Epoch: x, Loss: 0.35 + 1.9*math.Exp(-5*x), Acc: 0.88 - 0.7*math.Exp(-5*x)})
	}
	f, err := os.Create("curves.png")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	if err := viz.TrainingCurves(f, epochs, windows, 0, 0); err != nil {
		log.Fatal(err)
	}
	fmt.Println("wrote curves.png")
}

// ExampleSpikeRaster writes the spike rasters of two layers, over four
// time steps, to a PNG file 1200 by 500 pixels. The output layer's
// neurons are named by class, and the predicted class is marked.
func ExampleSpikeRaster() {
	const steps = 4
	hidden := make([]float32, steps*128) // [t][n]
	out := make([]float32, steps*10)
	for t := range steps {
		for n := t; n < 128; n += 7 {
			hidden[t*128+n] = 1
		}
		out[t*10+3] = 1
	}
	panels := []viz.RasterPanel{
		{Title: "lif1, image 0", Steps: steps, Neurons: 128, Spikes: hidden},
		{
			Title: "lif2, image 0", Steps: steps, Neurons: 10, Spikes: out,
			NeuronLabels: []string{"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
				"Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"},
			Marked: true, Mark: 3, MarkName: "predicted class",
			Note: "predicted Dress, label Dress",
		},
	}
	f, err := os.Create("raster.png")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	if err := viz.SpikeRaster(f, "Spikes of image 0", panels, 2, 1200, 500); err != nil {
		log.Fatal(err)
	}
	fmt.Println("wrote raster.png")
}

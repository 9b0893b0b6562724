// Package dataset loads Fashion-MNIST (and other MNIST-style) image
// classification data and serves it in mini-batches.
//
// # IDX files
//
// ReadIDX and OpenIDX decode the IDX format used by the MNIST and
// Fashion-MNIST distribution files, plain or gzip-compressed (gzip is
// recognised by its magic bytes, not by a file name). Only unsigned-byte
// elements (type code 0x08) are supported. Headers are validated before any
// data is allocated and the data buffer only grows as bytes arrive, so
// malformed or hostile files fail with a descriptive error instead of
// exhausting memory. WriteIDX encodes the same format.
//
// # Memory
//
// One IDX file holds at most MaxElements (2^28) elements, so decoding it
// holds at most 256 MiB of data (and, while the buffer doubles, 1.5 times
// that for a moment), however small a gzip file declares it; the full
// Fashion-MNIST training images hold 47,040,000. Load, Open and Sample read
// and cross-check the headers of the images and the labels files before
// decoding either, so a mismatched pair costs nothing but the headers.
//
// # Sets
//
// A Set holds N labelled grayscale images of Rows x Cols pixels. Load reads
// the Train or Test split from a directory holding train-images-idx3-ubyte,
// train-labels-idx1-ubyte, t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte
// (each optionally with a .gz suffix), such as DefaultDir, where the Debian
// package dataset-fashion-mnist installs them. It accepts only what the
// models can use: N images of 28x28 pixels (ImageRows x ImageCols), N labels,
// every label below NumClasses. Any other file gets an error that names it
// and says what is wrong, for example
//
//	dataset: data/train-images-idx3-ubyte: bad dimensions: holds 10x10 images; Fashion-MNIST models need 28x28
//	dataset: count mismatch: data/train-images-idx3-ubyte holds 3 images but data/train-labels-idx1-ubyte holds 2 labels
//	dataset: data/train-labels-idx1-ubyte.gz: label out of range: label 10 at index 1 is outside the classes 0..9
//	dataset: data/t10k-images-idx3-ubyte: idx: data truncated: want 7840000 bytes, got 984
//
// Sample returns a small Fashion-MNIST subset embedded in the package (the
// first 4000 training and 1000 test images), so programs and tests run with
// no files on disk. Open picks a source automatically: an explicit directory,
// else DefaultDir if present, else the embedded sample; Set.Name records
// which one was used.
//
// # Batches
//
// Perm gives a deterministic seeded shuffle, Set.Batch converts images to
// float32 values in [0, 1] (exactly float32(p)/float32(255)), and Loader
// iterates over a Set in mini-batches with reused buffers:
//
//	set, err := dataset.Open("", dataset.Train)
//	if err != nil {
//		log.Fatal(err)
//	}
//	ld := dataset.NewLoader(set, 64, dataset.Perm(set.N, 1))
//	for x, y, ok := ld.Next(); ok; x, y, ok = ld.Next() {
//		_ = x // len(y) images of set.Rows*set.Cols pixels each
//	}
//
// # Data licence
//
// Fashion-MNIST is Copyright (c) 2017 Zalando SE and distributed under the
// MIT licence; see sample/LICENSE and sample/README.md for the embedded
// sample's licence and attribution (Xiao, Rasul and Vollgraf, 2017,
// "Fashion-MNIST: a Novel Image Dataset for Benchmarking Machine Learning
// Algorithms", arXiv:1708.07747).
package dataset

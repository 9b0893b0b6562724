//go:build !poolpoison

package autograd

// poison reports a build with the poolpoison tag (see Pool).
const poison = false

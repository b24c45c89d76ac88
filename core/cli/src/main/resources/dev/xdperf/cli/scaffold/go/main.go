//go:build tinygo || wasip1

package main

import xdperf "github.com/xdperf/xdperf/sdk-tinygo"

// Register in init: a reactor module (-buildmode=c-shared) runs package initialisers from
// _initialize and never calls main.
func init() { xdperf.Register(describe, generate) }

func main() {}

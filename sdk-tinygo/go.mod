module github.com/xdperf/xdperf/sdk-tinygo

go 1.19

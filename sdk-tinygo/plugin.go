package xdperf

// DescribeFunc returns the plugin's description (the output of the describe export).
type DescribeFunc func() Description

// GenerateFunc turns a run request into a template set (the generate export). An error is
// reported by the host as the run's failure, so make it one clear sentence.
type GenerateFunc func(req *RunRequest) (*TemplateSet, error)

var (
	registeredDescribe DescribeFunc
	registeredGenerate GenerateFunc
)

// Register installs the plugin's functions behind the describe and generate exports. Call
// it from an init function of package main: with -buildmode=c-shared (TinyGo and Go) the
// host runs _initialize, which runs package initialisers, and main is never called.
//
//	func init() { xdperf.Register(describe, generate) }
//	func main() {}
func Register(describe DescribeFunc, generate GenerateFunc) {
	registeredDescribe = describe
	registeredGenerate = generate
}

// HandleDescribe returns what the describe export outputs for the registered plugin.
func HandleDescribe() ([]byte, error) {
	if registeredDescribe == nil {
		return nil, errorf("no plugin registered: call xdperf.Register from an init function")
	}
	return Describe(registeredDescribe)
}

// HandleGenerate runs the registered generate function over the input of the generate
// export and returns its output.
func HandleGenerate(input []byte) ([]byte, error) {
	if registeredGenerate == nil {
		return nil, errorf("no plugin registered: call xdperf.Register from an init function")
	}
	return Generate(registeredGenerate, input)
}

// Describe runs describe and encodes its description as JSON. It refuses a description
// that declares an ABI version other than this SDK's.
func Describe(describe DescribeFunc) ([]byte, error) {
	d := describe()
	if d.ABI != "" && d.ABI != AbiVersionString() {
		return nil, errorf("the description declares template ABI %s, this SDK implements %s", d.ABI, AbiVersionString())
	}
	return d.JSON(), nil
}

// Generate decodes a run request, runs generate on it, and validates (for the request's
// MTU) and encodes the template set it returns. A set whose version is left at 0.0 gets
// this SDK's version. This is exactly what the generate export does; tests can call it
// with bytes from EncodeRunRequest.
func Generate(generate GenerateFunc, input []byte) ([]byte, error) {
	req, err := DecodeRunRequest(input)
	if err != nil {
		return nil, err
	}
	if req.AbiMajor != AbiMajor {
		return nil, errorf("the host speaks template ABI %d.%d, this plugin was built for %d.%d",
			req.AbiMajor, req.AbiMinor, AbiMajor, AbiMinor)
	}
	set, err := generate(req)
	if err != nil {
		return nil, err
	}
	if set == nil {
		return nil, errorf("generate returned no template set and no error")
	}
	if set.AbiMajor == 0 && set.AbiMinor == 0 {
		set.AbiMajor, set.AbiMinor = AbiMajor, AbiMinor
	}
	return set.Marshal(int(req.MTU))
}

// Reads [{"src", "dot"}] as JSON on stdin and prints [{"out"} or {"err"}] rendered by Go's own
// text/template: the oracle for test/graph/template/go-oracle.test.ts. JSON numbers that are whole
// become int, others float64, matching how the TypeScript engine classifies JS numbers.
package main

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"text/template"
)

type Case struct {
	Src string          `json:"src"`
	Dot json.RawMessage `json:"dot"`
}

func conv(v interface{}) interface{} {
	switch x := v.(type) {
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return int(i)
		}
		f, _ := x.Float64()
		return f
	case []interface{}:
		for i := range x {
			x[i] = conv(x[i])
		}
		return x
	case map[string]interface{}:
		for k := range x {
			x[k] = conv(x[k])
		}
		return x
	}
	return v
}

func main() {
	var cases []Case
	if err := json.NewDecoder(os.Stdin).Decode(&cases); err != nil {
		panic(err)
	}
	out := []map[string]string{}
	for _, c := range cases {
		var dot interface{}
		if len(c.Dot) > 0 {
			d := json.NewDecoder(bytes.NewReader(c.Dot))
			d.UseNumber()
			d.Decode(&dot)
			dot = conv(dot)
		}
		r := map[string]string{}
		func() {
			defer func() {
				if p := recover(); p != nil {
					r["err"] = "PANIC"
				}
			}()
			t, err := template.New("t").Parse(c.Src)
			if err != nil {
				r["err"] = err.Error()
				return
			}
			var b strings.Builder
			if err := t.Execute(&b, dot); err != nil {
				r["err"] = err.Error()
			} else {
				r["out"] = b.String()
			}
		}()
		out = append(out, r)
	}
	json.NewEncoder(os.Stdout).Encode(out)
}

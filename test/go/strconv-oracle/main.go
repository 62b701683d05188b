// Reads {"strings": [...], "runes": [...]} as JSON on stdin and prints what Go's strconv makes of them:
// the oracle for test/go/strconv.test.ts. encoding/json turns a lone surrogate escape into U+FFFD,
// as every path from a JavaScript string into Go does.
package main

import (
	"encoding/json"
	"os"
	"strconv"
)

type input struct {
	Strings []string `json:"strings"`
	Runes   []rune   `json:"runes"`
}

type output struct {
	Quote     []string `json:"quote"`
	ASCII     []string `json:"ascii"`
	Rune      []string `json:"rune"`
	RuneASCII []string `json:"runeAscii"`
}

func main() {
	var in input
	if err := json.NewDecoder(os.Stdin).Decode(&in); err != nil {
		panic(err)
	}
	var out output
	for _, s := range in.Strings {
		out.Quote = append(out.Quote, strconv.Quote(s))
		out.ASCII = append(out.ASCII, strconv.QuoteToASCII(s))
	}
	for _, r := range in.Runes {
		out.Rune = append(out.Rune, strconv.QuoteRune(r))
		out.RuneASCII = append(out.RuneASCII, strconv.QuoteRuneToASCII(r))
	}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		panic(err)
	}
}

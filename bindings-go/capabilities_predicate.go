package net

import (
	"encoding/json"
	"fmt"
	"strconv"
)

// RPCWhereHeader is the nRPC header that carries a predicate
// (PredicateToRPCHeader's value).
const RPCWhereHeader = "net-where"

// Predicate is a boolean test over a node's tags and metadata, in the
// JSON wire form every Net binding shares. Build one with PredAnd, PredOr,
// PredNot, PredExists, PredEquals, PredAtLeast, PredAtMost, PredBetween,
// PredMetadataEquals and PredTagPrefix; libnet evaluates it.
//
// Op says which fields count:
//
//	"and", "or"              Clauses
//	"not"                    Clause
//	"exists"                 Path
//	"equals"                 Path, Value
//	"num_at_least"/"num_at_most"  Path, Number
//	"num_between"            Path, Min, Max
//	"metadata_equals"        Key, Value
//	"tag_prefix"             Prefix
type Predicate struct {
	Op       string
	Clauses  []Predicate
	Clause   *Predicate
	Path     string
	Value    string
	Number   float64
	Min, Max float64
	Key      string
	Prefix   string
}

// PredAnd holds when every clause holds (true when none).
func PredAnd(clauses ...Predicate) Predicate { return Predicate{Op: "and", Clauses: clauses} }

// PredOr holds when some clause holds (false when none).
func PredOr(clauses ...Predicate) Predicate { return Predicate{Op: "or", Clauses: clauses} }

// PredNot holds when clause does not.
func PredNot(clause Predicate) Predicate { return Predicate{Op: "not", Clause: &clause} }

// PredExists holds when some tag has path ("hardware.gpu"), with or
// without a value.
func PredExists(path string) Predicate { return Predicate{Op: "exists", Path: path} }

// PredEquals holds when some tag is exactly path=value.
func PredEquals(path, value string) Predicate {
	return Predicate{Op: "equals", Path: path, Value: value}
}

// PredAtLeast holds when some tag of path has a numeric value >= n.
func PredAtLeast(path string, n float64) Predicate {
	return Predicate{Op: "num_at_least", Path: path, Number: n}
}

// PredAtMost holds when some tag of path has a numeric value <= n.
func PredAtMost(path string, n float64) Predicate {
	return Predicate{Op: "num_at_most", Path: path, Number: n}
}

// PredBetween holds when some tag of path has a numeric value in [min, max].
func PredBetween(path string, min, max float64) Predicate {
	return Predicate{Op: "num_between", Path: path, Min: min, Max: max}
}

// PredMetadataEquals holds when metadata key is exactly value.
func PredMetadataEquals(key, value string) Predicate {
	return Predicate{Op: "metadata_equals", Key: key, Value: value}
}

// PredTagPrefix holds when some tag starts with prefix.
func PredTagPrefix(prefix string) Predicate { return Predicate{Op: "tag_prefix", Prefix: prefix} }

// jsonNumber writes a float the way JSON wants it (integral values
// without a fraction).
type jsonNumber float64

func (n jsonNumber) MarshalJSON() ([]byte, error) {
	return []byte(strconv.FormatFloat(float64(n), 'g', -1, 64)), nil
}

// MarshalJSON writes the wire form. The canonical bytes (for headers and
// vectors) are libnet's: see PredicateToRPCHeader.
func (p Predicate) MarshalJSON() ([]byte, error) {
	type kv struct {
		k string
		v any
	}
	var fields []kv
	switch p.Op {
	case "and", "or":
		clauses := p.Clauses
		if clauses == nil {
			clauses = []Predicate{}
		}
		fields = []kv{{"clauses", clauses}}
	case "not":
		if p.Clause == nil {
			return nil, fmt.Errorf("net: predicate \"not\" without a clause")
		}
		fields = []kv{{"clause", *p.Clause}}
	case "exists":
		fields = []kv{{"path", p.Path}}
	case "equals":
		fields = []kv{{"path", p.Path}, {"value", p.Value}}
	case "num_at_least", "num_at_most":
		fields = []kv{{"path", p.Path}, {"value", jsonNumber(p.Number)}}
	case "num_between":
		fields = []kv{{"path", p.Path}, {"min", jsonNumber(p.Min)}, {"max", jsonNumber(p.Max)}}
	case "metadata_equals":
		fields = []kv{{"key", p.Key}, {"value", p.Value}}
	case "tag_prefix":
		fields = []kv{{"prefix", p.Prefix}}
	default:
		// Written as is: libnet refuses it with kind invalid_predicate.
	}
	out := []byte(`{"op":`)
	op, _ := json.Marshal(p.Op)
	out = append(out, op...)
	for _, f := range fields {
		k, _ := json.Marshal(f.k)
		v, err := json.Marshal(f.v)
		if err != nil {
			return nil, err
		}
		out = append(append(append(append(out, ','), k...), ':'), v...)
	}
	return append(out, '}'), nil
}

// UnmarshalJSON reads the wire form (shape only; libnet checks the rest).
func (p *Predicate) UnmarshalJSON(b []byte) error {
	var raw struct {
		Op      string          `json:"op"`
		Clauses []Predicate     `json:"clauses"`
		Clause  *Predicate      `json:"clause"`
		Path    string          `json:"path"`
		Value   json.RawMessage `json:"value"`
		Min     float64         `json:"min"`
		Max     float64         `json:"max"`
		Key     string          `json:"key"`
		Prefix  string          `json:"prefix"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	*p = Predicate{Op: raw.Op, Clauses: raw.Clauses, Clause: raw.Clause, Path: raw.Path,
		Min: raw.Min, Max: raw.Max, Key: raw.Key, Prefix: raw.Prefix}
	if len(raw.Value) > 0 {
		switch raw.Op {
		case "num_at_least", "num_at_most":
			if err := json.Unmarshal(raw.Value, &p.Number); err != nil {
				return fmt.Errorf("predicate %s: value: %w", raw.Op, err)
			}
		default:
			if err := json.Unmarshal(raw.Value, &p.Value); err != nil {
				return fmt.Errorf("predicate %s: value: %w", raw.Op, err)
			}
		}
	}
	return nil
}

// TraceStep is one clause's verdict in an evaluation: ID is its position
// ("0", "0.1", ...), Verdict "true", "false" or "skipped" (not evaluated
// after a short circuit).
type TraceStep struct {
	ID       string `json:"id"`
	Op       string `json:"op"`
	Subject  string `json:"subject,omitempty"`
	Expected string `json:"expected,omitempty"`
	Verdict  string `json:"verdict"`
}

// PredicateTrace is an evaluation's result and every clause's verdict.
type PredicateTrace struct {
	Result bool        `json:"result"`
	Trace  []TraceStep `json:"trace"`
}

package delta

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"

	"github.com/pintui/pintui/pipeline/record"
)

// The Spark type names a table column may have.
const (
	typeLong        = "long"
	typeInteger     = "integer"
	typeString      = "string"
	typeDouble      = "double"
	typeTimestamp   = "timestamp"
	typeDoubleArray = "array<double>"
)

// sparkField is one field of a Spark struct schema as Delta stores it in schemaString.
type sparkField struct {
	Name     string         `json:"name"`
	Type     any            `json:"type"`
	Nullable bool           `json:"nullable"`
	Metadata map[string]any `json:"metadata"`
}

// sparkArray is Spark's JSON form of an array type.
type sparkArray struct {
	Type         string `json:"type"`
	ElementType  string `json:"elementType"`
	ContainsNull bool   `json:"containsNull"`
}

type sparkStruct struct {
	Type   string       `json:"type"`
	Fields []sparkField `json:"fields"`
}

// checkFields refuses schemas this writer cannot store, before any file is written.
func checkFields(fields []record.Field) error {
	if len(fields) == 0 {
		return fmt.Errorf("schema has no columns")
	}
	seen := map[string]bool{}
	for _, f := range fields {
		if f.Name == "" || strings.ContainsAny(f.Name, ",;{}()\n\t =") {
			return fmt.Errorf("column name %q: use letters, digits and underscores", f.Name)
		}
		if seen[f.Name] {
			return fmt.Errorf("column %q appears twice", f.Name)
		}
		seen[f.Name] = true
		switch f.Type {
		case typeLong, typeInteger, typeString, typeDouble, typeTimestamp, typeDoubleArray:
		default:
			return fmt.Errorf("column %s has type %q: use long, integer, string, double, timestamp or array<double>", f.Name, f.Type)
		}
	}
	return nil
}

// schemaString renders fields as the Spark JSON schema Delta keeps in metaData; every column
// is nullable, as Spark makes the columns of tables it writes.
func schemaString(fields []record.Field) (string, error) {
	s := sparkStruct{Type: "struct", Fields: make([]sparkField, len(fields))}
	for i, f := range fields {
		var typ any = f.Type
		if f.Type == typeDoubleArray {
			typ = sparkArray{Type: "array", ElementType: typeDouble, ContainsNull: true}
		}
		s.Fields[i] = sparkField{Name: f.Name, Type: typ, Nullable: true, Metadata: map[string]any{}}
	}
	data, err := json.Marshal(s)
	return string(data), err
}

// parseSchema reads a Spark JSON schema back into fields.
func parseSchema(schema string) ([]record.Field, error) {
	var s struct {
		Fields []struct {
			Name string          `json:"name"`
			Type json.RawMessage `json:"type"`
		} `json:"fields"`
	}
	if err := json.Unmarshal([]byte(schema), &s); err != nil {
		return nil, fmt.Errorf("parse schemaString: %w", err)
	}
	fields := make([]record.Field, len(s.Fields))
	for i, f := range s.Fields {
		var name string
		if json.Unmarshal(f.Type, &name) == nil {
			fields[i] = record.Field{Name: f.Name, Type: name}
			continue
		}
		var arr sparkArray
		if err := json.Unmarshal(f.Type, &arr); err != nil || arr.Type != "array" {
			return nil, fmt.Errorf("parse schemaString: column %s has a type this reader does not know: %s", f.Name, f.Type)
		}
		fields[i] = record.Field{Name: f.Name, Type: "array<" + arr.ElementType + ">"}
	}
	return fields, nil
}

// sameFields reports whether two schemas have the same columns in the same order.
func sameFields(a, b []record.Field) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// fieldsOf derives the table schema of a row struct from the Parquet schema its tags describe,
// so the log and the data files can never disagree.
func fieldsOf(schema *parquet.Schema) ([]record.Field, error) {
	var fields []record.Field
	for _, f := range schema.Fields() {
		typ, err := sparkTypeOf(f)
		if err != nil {
			return nil, fmt.Errorf("column %s: %w", f.Name(), err)
		}
		fields = append(fields, record.Field{Name: f.Name(), Type: typ})
	}
	return fields, checkFields(fields)
}

func sparkTypeOf(n parquet.Node) (string, error) {
	if !n.Leaf() {
		if _, ok := logical[*format.ListType](n); ok {
			elem := listElement(n)
			if elem != nil && elem.Leaf() && elem.Type().Kind() == parquet.Double {
				return typeDoubleArray, nil
			}
		}
		return "", fmt.Errorf("nested type %s is not supported: use a list of float64", n.Type())
	}
	switch n.Type().Kind() {
	case parquet.Int64:
		if _, ok := logical[*format.TimestampType](n); ok {
			return typeTimestamp, nil
		}
		return typeLong, nil
	case parquet.Int32:
		return typeInteger, nil
	case parquet.Double:
		return typeDouble, nil
	case parquet.ByteArray:
		if _, ok := logical[*format.StringType](n); ok {
			return typeString, nil
		}
	}
	return "", fmt.Errorf("parquet type %s is not supported: use int64, int32, float64, string, time.Time or []float64", n.Type())
}

// listElement returns the element node of a standard three-level LIST group.
func listElement(n parquet.Node) parquet.Node {
	fields := n.Fields()
	if len(fields) != 1 || !fields[0].Repeated() {
		return nil
	}
	inner := fields[0].Fields()
	if len(inner) != 1 {
		return nil
	}
	return inner[0]
}

// parquetSchemaOf builds the Parquet schema of dynamic rows, columns in field order (a
// parquet.Group would sort them by name), through a generated struct type.
func parquetSchemaOf(fields []record.Field) *parquet.Schema {
	structFields := make([]reflect.StructField, len(fields))
	for i, f := range fields {
		sf := reflect.StructField{Name: fmt.Sprintf("F%d", i)}
		switch f.Type {
		case typeLong:
			sf.Type, sf.Tag = reflect.TypeFor[*int64](), tag(f.Name, "optional")
		case typeInteger:
			sf.Type, sf.Tag = reflect.TypeFor[*int32](), tag(f.Name, "optional")
		case typeString:
			sf.Type, sf.Tag = reflect.TypeFor[*string](), tag(f.Name, "optional")
		case typeDouble:
			sf.Type, sf.Tag = reflect.TypeFor[*float64](), tag(f.Name, "optional")
		case typeTimestamp:
			sf.Type, sf.Tag = reflect.TypeFor[*time.Time](), tag(f.Name, "optional,timestamp(microsecond)")
		case typeDoubleArray:
			sf.Type, sf.Tag = reflect.TypeFor[[]float64](), tag(f.Name, "optional,list")
		}
		structFields[i] = sf
	}
	return parquet.SchemaOf(reflect.New(reflect.StructOf(structFields)).Elem().Interface())
}

func tag(name, opts string) reflect.StructTag {
	return reflect.StructTag(fmt.Sprintf(`parquet:"%s,%s"`, name, opts))
}

// timestampUnit returns how many microseconds one stored unit of a timestamp column is worth,
// as a multiplier (millis) or divisor (nanos) pair.
func timestampUnit(n parquet.Node) (mul, div int64) {
	ts, ok := logical[*format.TimestampType](n)
	if !ok {
		return 1, 1
	}
	switch ts.Unit.Value.(type) {
	case *format.MilliSeconds:
		return 1000, 1
	case *format.NanoSeconds:
		return 1, 1000
	}
	return 1, 1
}

// logical returns a node's logical type annotation if it is an L.
func logical[L format.LogicalTypeValue](n parquet.Node) (L, bool) {
	var zero L
	lt := n.Type().LogicalType()
	if lt == nil {
		return zero, false
	}
	v, ok := lt.Value.(L)
	return v, ok
}

package config

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Field is the declaration of one setting, read from the Config struct's tags.
type Field struct {
	// Key is the dotted name, e.g. local.kafka_addr.
	Key string
	// Env is the environment variable, e.g. PINTUI_LOCAL_KAFKA_ADDR.
	Env string
	// Default is the default value as text.
	Default string
	// Flag is the global command-line flag that sets it, e.g. source for source.url; empty when
	// the setting is only read from the file and the environment.
	Flag string
	// Placeholder names the flag's value in --help, e.g. DIR.
	Placeholder string
	// Help documents the setting.
	Help string
	// Secret is "true" to mask the whole value, "url" to mask the secrets in a URL or DSN (see
	// Mask), or "".
	Secret string
	index  []int
}

// Fields lists every setting in declaration order.
func Fields() []Field {
	var out []Field
	walk(reflect.TypeFor[Config](), "", nil, &out)
	return out
}

func walk(t reflect.Type, prefix string, index []int, out *[]Field) {
	for i := range t.NumField() {
		sf := t.Field(i)
		key := prefix + sf.Tag.Get("key")
		idx := append(append([]int(nil), index...), i)
		if sf.Type.Kind() == reflect.Struct {
			walk(sf.Type, key+".", idx, out)
			continue
		}
		*out = append(*out, Field{
			Key:         key,
			Env:         "PINTUI_" + strings.ToUpper(strings.NewReplacer(".", "_", "-", "_").Replace(key)),
			Default:     sf.Tag.Get("default"),
			Flag:        sf.Tag.Get("flag"),
			Placeholder: sf.Tag.Get("placeholder"),
			Help:        sf.Tag.Get("help"),
			Secret:      sf.Tag.Get("secret"),
			index:       idx,
		})
	}
}

func (f Field) value(c *Config) reflect.Value { return reflect.ValueOf(c).Elem().FieldByIndex(f.index) }

func (f Field) set(c *Config, text string) error {
	v := f.value(c)
	switch v.Kind() {
	case reflect.String:
		v.SetString(text)
	case reflect.Int:
		n, err := strconv.Atoi(text)
		if err != nil {
			return fmt.Errorf("%q is not a whole number", text)
		}
		v.SetInt(int64(n))
	case reflect.Bool:
		b, err := strconv.ParseBool(text)
		if err != nil {
			return fmt.Errorf("%q is not a boolean: use true or false", text)
		}
		v.SetBool(b)
	case reflect.Slice:
		var items []string
		for item := range strings.SplitSeq(text, ",") {
			if item = strings.TrimSpace(item); item != "" {
				items = append(items, item)
			}
		}
		v.Set(reflect.ValueOf(items))
	case reflect.Map:
		var m map[string][]string
		if err := yaml.Unmarshal([]byte(text), &m); err != nil {
			return fmt.Errorf("%q is not a mapping of names to lists, e.g. {quit: [Q]}", text)
		}
		v.Set(reflect.ValueOf(m))
	default:
		return fmt.Errorf("setting %s has an unsupported type %s", f.Key, v.Kind())
	}
	return nil
}

// Text returns the field's value as text, masked if it is a secret.
func (f Field) Text(c *Config) string {
	v := f.value(c)
	var s string
	switch v.Kind() {
	case reflect.Bool:
		s = strconv.FormatBool(v.Bool())
	case reflect.Int:
		s = strconv.FormatInt(v.Int(), 10)
	case reflect.Slice:
		s = strings.Join(v.Interface().([]string), ",")
	case reflect.Map:
		s = flowText(v.Interface().(map[string][]string))
	default:
		s = v.String()
	}
	switch {
	case s == "":
		return s
	case f.Secret == "true":
		return "****"
	case f.Secret == "url":
		return Mask(s)
	}
	return s
}

// flowText writes a map of lists as one line of YAML, e.g. {pause: [space, P], quit: [Q]}, which
// set reads back.
func flowText(m map[string][]string) string {
	if len(m) == 0 {
		return ""
	}
	var entries []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		items := make([]string, len(m[k]))
		for i, item := range m[k] {
			items[i] = yamlWord(item)
		}
		entries = append(entries, yamlWord(k)+": ["+strings.Join(items, ", ")+"]")
	}
	return "{" + strings.Join(entries, ", ") + "}"
}

var plainWord = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9+_.-]*$`)

// yamlWord quotes a word unless YAML reads it plain as the same string.
func yamlWord(s string) string {
	if plainWord.MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// fileDoc is a parsed config file: flat dotted values and, per profile, its own flat values.
type fileDoc struct {
	values   map[string]string
	profiles map[string]map[string]string
}

func readFile(name string, mustExist bool) (*fileDoc, error) {
	data, err := os.ReadFile(name)
	if errors.Is(err, fs.ErrNotExist) && !mustExist {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read config %s: %w", name, err)
	}
	var root map[string]any
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("parse config %s: %w (fix the YAML or move the file away)", name, err)
	}
	known := map[string]bool{}
	for _, f := range Fields() {
		known[f.Key] = true
	}
	doc := &fileDoc{values: map[string]string{}, profiles: map[string]map[string]string{}}
	profiles, _ := root["profiles"].(map[string]any)
	delete(root, "profiles")
	if err := flatten(root, "", doc.values, known, name); err != nil {
		return nil, err
	}
	for pname, p := range profiles {
		m, ok := p.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("config %s: profiles.%s must be a mapping of settings", name, pname)
		}
		doc.profiles[pname] = map[string]string{}
		if err := flatten(m, "", doc.profiles[pname], known, name+" profiles."+pname); err != nil {
			return nil, err
		}
	}
	return doc, nil
}

func flatten(m map[string]any, prefix string, out map[string]string, known map[string]bool, where string) error {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		key := prefix + k
		switch v := m[k].(type) {
		case map[string]any:
			if known[key] { // a setting that is itself a mapping, such as keys
				text, err := yaml.Marshal(v)
				if err != nil {
					return fmt.Errorf("config %s: %s: %w", where, key, err)
				}
				out[key] = string(text)
				continue
			}
			if err := flatten(v, key+".", out, known, where); err != nil {
				return err
			}
			continue
		case []any:
			items := make([]string, len(v))
			for i, item := range v {
				items[i] = fmt.Sprint(item)
			}
			out[key] = strings.Join(items, ",")
		case nil:
			out[key] = ""
		default:
			out[key] = fmt.Sprint(v)
		}
		if !known[key] {
			return fmt.Errorf("config %s: unknown setting %q (see `pintui config show` for the settings)", where, key)
		}
	}
	return nil
}

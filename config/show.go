package config

// Setting is one row of `pintui config show`: a key, its masked value and where it came from.
type Setting struct {
	Key    string `json:"key"`
	Value  string `json:"value"`
	Origin string `json:"source"`
}

// Settings returns every setting of the merged configuration with secrets masked.
func (l *Loaded) Settings() []Setting {
	var out []Setting
	for _, f := range Fields() {
		origin := l.Origins[f.Key]
		if origin == "" {
			origin = "unset"
		}
		out = append(out, Setting{Key: f.Key, Value: f.Text(&l.Config), Origin: origin})
	}
	return out
}

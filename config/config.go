// Package config is pintui's one configuration struct: every setting is declared once, as a
// tagged field, and that declaration drives its default, its environment variable, its place in
// the config file, its documentation and its masking. Values merge in the order defaults < file
// (`$XDG_CONFIG_HOME/pintui/config.yaml`, then the selected profile's section of it) < `PINTUI_*`
// environment < flags, and every value remembers where it came from.
package config

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Config is the whole of pintui's configuration. Field tags: `key` is the dotted name used in the
// file, in `PINTUI_*` variables (dots and dashes become underscores) and in `config show`;
// `flag` names the global command-line flag of the settings that have one, and `placeholder` its
// value in `--help`; `default` is the default before XDG expansion; `help` documents it;
// `secret` masks it.
type Config struct {
	Profile string              `key:"profile" flag:"profile" placeholder:"NAME" default:"local" help:"profile to run: local (the embedded stack) or a name under profiles: in the config file"`
	DataDir string              `key:"data_dir" flag:"data-dir" placeholder:"DIR" help:"where local state lives (source.db, kafka/, s3/, lakehouse/ …); default $XDG_DATA_HOME/pintui"`
	UID     string              `key:"uid" flag:"uid" placeholder:"UID" default:"0a1b2c3d4e5f" help:"the 12-hex-digit user id every topic, stream, bucket and table name derives from"`
	Color   string              `key:"color" flag:"color" placeholder:"auto|always|never" default:"auto" help:"colour output: auto, always or never (NO_COLOR also turns it off)"`
	Keys    map[string][]string `key:"keys" help:"console keys by action name, e.g. {quit: [Q], pause: [space]}; the actions are listed with the console's keys"`
	// ReadOnly refuses what SPEC §7 asks first about, in scripts and in the console alike.
	ReadOnly bool `key:"read_only" help:"refuse every action that starts cloud work or deletes data (dag trigger, job run, deploy, sink restart …); set it in a profile to look without touching"`

	Source SourceConfig `key:"source"`
	Local  LocalConfig  `key:"local"`
	Sink   SinkConfig   `key:"sink"`
	Stream StreamConfig `key:"stream"`
	DAG    DAGConfig    `key:"dag"`
	AWS    AWSConfig    `key:"aws"`
	Kafka  KafkaConfig  `key:"kafka"`
	S3     S3Config     `key:"s3"`

	Gateway    GatewayConfig    `key:"gateway"`
	Airflow    AirflowConfig    `key:"airflow"`
	Databricks DatabricksConfig `key:"databricks"`
}

// SourceConfig names the source database the emulators read.
type SourceConfig struct {
	URL string `key:"url" flag:"source" placeholder:"PATH|URL" help:"source database: a SQLite file path, mysql://user:pass@host:3306/db or user:pass@tcp(host:3306)/db; default <data_dir>/source.db" secret:"url"`
}

// LocalConfig holds the loopback addresses of the embedded stack, who its S3 lets in and how its
// Kinesis behaves.
type LocalConfig struct {
	KafkaAddr     string `key:"kafka_addr" flag:"kafka-addr" placeholder:"HOST:PORT" default:"127.0.0.1:9092" help:"embedded Kafka listener (port 0 picks a free one)"`
	S3Addr        string `key:"s3_addr" flag:"s3-addr" placeholder:"HOST:PORT" default:"127.0.0.1:9000" help:"embedded S3 listener (port 0 picks a free one)"`
	GatewayAddr   string `key:"gateway_addr" flag:"gateway-addr" placeholder:"HOST:PORT" default:"127.0.0.1:8082" help:"REST Proxy / API Gateway listener (port 0 picks a free one)"`
	S3Anonymous   bool   `key:"s3_anonymous" help:"let the embedded S3 take unsigned requests; by default each must be signed (SigV4) with the local credentials"`
	KinesisAddr   string `key:"kinesis_addr" flag:"kinesis-addr" placeholder:"HOST:PORT" default:"127.0.0.1:4567" help:"embedded Kinesis listener (port 0 picks a free one)"`
	KinesisLimits string `key:"kinesis_limits" flag:"kinesis-limits" placeholder:"off|aws" default:"off" help:"per-shard limits of the embedded Kinesis: off, or aws (1 MB/s and 1,000 records/s written, 5 GetRecords and 5 GetShardIterator calls/s per shard)"`
	KinesisShards int    `key:"kinesis_shards" default:"2" help:"shards of each stream the embedded Kinesis creates; a stream that exists keeps its own"`
	AirflowAddr   string `key:"airflow_addr" flag:"airflow-addr" placeholder:"HOST:PORT" default:"127.0.0.1:8080" help:"local scheduler's Airflow REST API listener (port 0 picks a free one)"`
	WorkspaceAddr string `key:"workspace_addr" flag:"workspace-addr" placeholder:"HOST:PORT" default:"127.0.0.1:8090" help:"local workspace's Databricks Jobs and Workspace API listener (port 0 picks a free one)"`
}

// DAGConfig says when the DAG <uid>_dag runs and how it retries, for the local scheduler and the
// deployed DAG file alike.
type DAGConfig struct {
	Schedule   string `key:"schedule" default:"@daily" help:"when the DAG runs: a cron expression (5 fields) or @hourly, @daily, @weekly …"`
	Catchup    bool   `key:"catchup" help:"run the intervals missed while the scheduler was down (Airflow's catchup); by default only the latest"`
	Retries    int    `key:"retries" default:"1" help:"times a failing task is tried again"`
	RetryDelay string `key:"retry_delay" default:"2m" help:"wait before a failing task is tried again"`
}

// SinkConfig tunes the S3 sink that runs beside the local stack.
type SinkConfig struct {
	FlushSize int `key:"flush_size" default:"1" help:"records per landed object (the Confluent S3 sink's flush.size); keep it fixed for a data dir"`
	// InCloud runs pintui's sink against MSK and S3; by default the cloud lands through MSK Connect.
	InCloud bool `key:"in_cloud" help:"in a cloud profile, run pintui's S3 sink in the console or script process instead of relying on the MSK Connect connector"`
	// Connector and Group name the MSK Connect connector of a cloud profile and its consumer group.
	Connector string `key:"connector" help:"MSK Connect connector that lands the topics in a cloud profile; default the only connector whose name holds the uid"`
	Group     string `key:"group" help:"consumer group of the MSK Connect connector; default connect-<connector name>, Kafka Connect's own"`
}

// StreamConfig tunes the stream job that runs in the local stack's owner.
type StreamConfig struct {
	TriggerInterval string `key:"trigger_interval" default:"50ms" help:"how often the stream job commits a micro-batch of what arrived; its shards are polled twice as often"`
	Autostart       bool   `key:"autostart" default:"true" help:"start the stream job with the local stack's owner; stream start and stream stop control it either way"`
	// InCloud runs pintui's stream job against Kinesis and S3; by default Databricks streams.
	InCloud bool `key:"in_cloud" help:"in a cloud profile, run pintui's stream job against Kinesis and S3 in the console or script process (tables under the bucket's lakehouse/) instead of relying on Databricks structured streaming"`
}

// AWSConfig selects credentials through the AWS SDK's standard chain; keys never live here.
type AWSConfig struct {
	Profile string `key:"profile" help:"AWS shared-config profile (credentials come from the SDK's standard chain)"`
	Region  string `key:"region" default:"us-east-1" help:"AWS region"`
}

// KafkaConfig reaches MSK or any Kafka cluster in a cloud profile.
type KafkaConfig struct {
	Brokers  []string `key:"brokers" help:"bootstrap brokers, comma-separated in the environment"`
	TLS      bool     `key:"tls" help:"connect with TLS (MSK ports 9094/9096/9098)"`
	SASL     string   `key:"sasl" help:"SASL mechanism: none, aws_msk_iam, scram-sha-512 or plain"`
	Username string   `key:"username" help:"SASL user for scram-sha-512 or plain"`
	Password string   `key:"password" help:"SASL password for scram-sha-512 or plain" secret:"true"`
}

// S3Config names the landing bucket in a cloud profile.
type S3Config struct {
	Bucket   string `key:"bucket" help:"landing bucket; default user-<uid>-bucket"`
	Endpoint string `key:"endpoint" help:"S3 endpoint override (path-style), e.g. for MinIO" secret:"url"`
}

// GatewayConfig is the API Gateway the emulators post to in a cloud profile.
type GatewayConfig struct {
	InvokeURL string `key:"invoke_url" help:"API Gateway invoke URL with its stage, e.g. https://abc.execute-api.us-east-1.amazonaws.com/dev" secret:"url"`
}

// AirflowConfig reaches MWAA or a self-hosted Airflow.
type AirflowConfig struct {
	Environment string `key:"environment" help:"MWAA environment name; its REST API is reached through InvokeRestApi with the AWS credentials"`
	CLI         bool   `key:"cli" help:"reach MWAA through its CLI token endpoint instead of InvokeRestApi (environments before Airflow 2.4.3)"`
	URL         string `key:"url" help:"self-hosted Airflow base URL, e.g. https://airflow.example.com (the API is under /api/v1 or /api/v2)" secret:"url"`
	API         string `key:"api" default:"auto" help:"Airflow REST API version of a self-hosted Airflow: auto, v1 (Airflow 2) or v2 (Airflow 3)"`
	Username    string `key:"username" help:"user for a self-hosted Airflow (basic auth on v1, /auth/token on v2)"`
	Password    string `key:"password" help:"password for a self-hosted Airflow" secret:"true"`
	Token       string `key:"token" help:"bearer token for a self-hosted Airflow, instead of a user and password" secret:"true"`
	DAGFolder   string `key:"dag_folder" help:"s3://bucket/prefix the DAG file is deployed to; default the MWAA environment's DAG folder"`
}

// DatabricksConfig reaches a Databricks workspace.
type DatabricksConfig struct {
	Host        string `key:"host" help:"workspace URL, e.g. https://dbc-123.cloud.databricks.com; default DATABRICKS_HOST or the ~/.databrickscfg profile" secret:"url"`
	Token       string `key:"token" help:"personal access token; default DATABRICKS_TOKEN or the ~/.databrickscfg profile" secret:"true"`
	Profile     string `key:"profile" help:"~/.databrickscfg profile (Databricks unified auth)"`
	ClusterID   string `key:"cluster_id" help:"existing cluster the DAG's notebook runs use"`
	WarehouseID string `key:"warehouse_id" help:"SQL warehouse that previews the cloud tables (Statement Execution API)"`
	Catalog     string `key:"catalog" default:"hive_metastore" help:"catalog of the cloud tables"`
	Schema      string `key:"schema" default:"default" help:"schema of the cloud tables, where the batch notebook writes them"`
	NotebookDir string `key:"notebook_dir" default:"/Shared/pintui" help:"workspace folder the notebooks are deployed to"`
}

// Source says where a value came from.
type Source string

// The places a value can come from, weakest first.
const (
	FromDefault Source = "default"
	FromFile    Source = "file"
	FromProfile Source = "profile"
	FromEnv     Source = "env"
	FromFlag    Source = "flag"
)

// Loaded is a merged configuration and the origin of each of its values.
type Loaded struct {
	Config
	// Origins maps a dotted key to where its value came from (with the file, variable or flag name).
	Origins map[string]string
	// File is the config file that was read, or "" if there was none.
	File string
}

// Options tell Load where to look; zero values mean the real process environment.
type Options struct {
	// File overrides the config file path.
	File string
	// Env looks up environment variables; nil means os.LookupEnv.
	Env func(string) (string, bool)
	// Flags are values set on the command line, keyed by dotted key.
	Flags map[string]string
}

// Load merges defaults, the config file, the selected profile, the environment and flags, then
// validates the result.
func Load(opts Options) (*Loaded, error) {
	env := opts.Env
	if env == nil {
		env = os.LookupEnv
	}
	l := &Loaded{Origins: map[string]string{}}
	fields := Fields()
	for _, f := range fields {
		if f.Default != "" {
			if err := f.set(&l.Config, f.Default); err != nil {
				return nil, err
			}
			l.Origins[f.Key] = string(FromDefault)
		}
	}
	file := opts.File
	if file == "" {
		if v, ok := env("PINTUI_CONFIG"); ok && v != "" {
			file = v
		} else {
			file = filepath.Join(configHome(env), "pintui", "config.yaml")
		}
	}
	doc, err := readFile(file, opts.File != "")
	if err != nil {
		return nil, err
	}
	if doc != nil {
		l.File = file
		if err := l.apply(fields, doc.values, string(FromFile)+" "+file); err != nil {
			return nil, err
		}
	}
	profile := l.Profile
	if v, ok := env("PINTUI_PROFILE"); ok && v != "" {
		profile = v
	}
	if v, ok := opts.Flags["profile"]; ok {
		profile = v
	}
	if profile != "local" {
		if doc == nil || doc.profiles[profile] == nil {
			return nil, fmt.Errorf("profile %q is not defined: add it under profiles: in %s, or use --profile local", profile, file)
		}
		if err := l.apply(fields, doc.profiles[profile], string(FromProfile)+" "+profile); err != nil {
			return nil, err
		}
	}
	for _, f := range fields {
		if v, ok := env(f.Env); ok {
			if err := f.set(&l.Config, v); err != nil {
				return nil, fmt.Errorf("%s: %w", f.Env, err)
			}
			l.Origins[f.Key] = string(FromEnv) + " " + f.Env
		}
	}
	for _, f := range fields {
		if v, ok := opts.Flags[f.Key]; ok {
			if f.Flag == "" {
				return nil, fmt.Errorf("setting %s has no command-line flag: set it in the config file or with %s", f.Key, f.Env)
			}
			if err := f.set(&l.Config, v); err != nil {
				return nil, fmt.Errorf("--%s: %w", f.Flag, err)
			}
			l.Origins[f.Key] = string(FromFlag) + " --" + f.Flag
		}
	}
	l.Profile = profile
	if l.DataDir == "" {
		l.DataDir = filepath.Join(dataHome(env), "pintui")
		l.Origins["data_dir"] = string(FromDefault)
	}
	if err := l.Validate(); err != nil {
		return nil, err
	}
	return l, nil
}

func (l *Loaded) apply(fields []Field, values map[string]string, origin string) error {
	for _, f := range fields {
		if v, ok := values[f.Key]; ok {
			if err := f.set(&l.Config, v); err != nil {
				return fmt.Errorf("%s in %s: %w", f.Key, origin, err)
			}
			l.Origins[f.Key] = origin
		}
	}
	return nil
}

// uidPattern is the README's uid: 12 lower-case hex digits, as every name derived from it expects.
var uidPattern = regexp.MustCompile(`^[0-9a-f]{12}$`)

// Validate checks the values that every command relies on.
func (c *Config) Validate() error {
	if !uidPattern.MatchString(c.UID) {
		return fmt.Errorf("uid %q is not valid: use 12 lower-case hex digits (0-9, a-f), e.g. 0a1b2c3d4e5f", c.UID)
	}
	switch c.Color {
	case "auto", "always", "never":
	default:
		return fmt.Errorf("color %q is not valid: use auto, always or never", c.Color)
	}
	switch c.Local.KinesisLimits {
	case "off", "aws":
	default:
		return fmt.Errorf("local.kinesis_limits %q is not valid: use off or aws", c.Local.KinesisLimits)
	}
	if c.Local.KinesisShards < 1 || c.Local.KinesisShards > 256 {
		return fmt.Errorf("local.kinesis_shards %d is not valid: use 1 to 256", c.Local.KinesisShards)
	}
	if c.Sink.FlushSize < 1 {
		return fmt.Errorf("sink.flush_size %d is not valid: use 1 or more", c.Sink.FlushSize)
	}
	if d, err := time.ParseDuration(c.Stream.TriggerInterval); err != nil || d <= 0 {
		return fmt.Errorf("stream.trigger_interval %q is not valid: use a positive duration such as 50ms or 1s", c.Stream.TriggerInterval)
	}
	if d, err := time.ParseDuration(c.DAG.RetryDelay); err != nil || d < 0 {
		return fmt.Errorf("dag.retry_delay %q is not valid: use a duration such as 2m or 30s", c.DAG.RetryDelay)
	}
	if c.DAG.Retries < 0 {
		return fmt.Errorf("dag.retries %d is not valid: use 0 or more", c.DAG.Retries)
	}
	switch c.Airflow.API {
	case "auto", "v1", "v2":
	default:
		return fmt.Errorf("airflow.api %q is not valid: use auto, v1 or v2", c.Airflow.API)
	}
	if err := validateKeys(c.Keys); err != nil {
		return err
	}
	switch strings.ToLower(c.Kafka.SASL) {
	case "", "none", "aws_msk_iam", "scram-sha-512", "scram-sha-256", "plain":
	default:
		return fmt.Errorf("kafka.sasl %q is not valid: use none, aws_msk_iam, scram-sha-512, scram-sha-256 or plain", c.Kafka.SASL)
	}
	return nil
}

// validateKeys checks the shape of the console's key bindings; the console itself refuses an
// action it does not have or a key another of its actions already uses.
func validateKeys(bindings map[string][]string) error {
	owner := map[string]string{}
	for _, action := range slices.Sorted(maps.Keys(bindings)) {
		ks := bindings[action]
		if len(ks) == 0 {
			return fmt.Errorf("keys: %s has no keys: give it at least one, e.g. %s: [Q]", action, action)
		}
		for _, k := range ks {
			if strings.TrimSpace(k) == "" {
				return fmt.Errorf("keys: %s has an empty key: name a key such as Q, space or ctrl+q", action)
			}
			if other, ok := owner[k]; ok && other != action {
				return fmt.Errorf("keys: key %q is given to both %s and %s: give one of them another key", k, other, action)
			}
			owner[k] = action
		}
	}
	return nil
}

// IsLocal reports whether the embedded local stack runs this profile.
func (c *Config) IsLocal() bool { return c.Profile == "local" }

// SourceURL returns the source database, defaulting to the SQLite file in the data dir.
func (c *Config) SourceURL() string {
	if c.Source.URL != "" {
		return c.Source.URL
	}
	return filepath.Join(c.DataDir, "source.db")
}

// Bucket returns the landing bucket, defaulting to user-<uid>-bucket.
func (c *Config) Bucket() string {
	if c.S3.Bucket != "" {
		return c.S3.Bucket
	}
	return "user-" + c.UID + "-bucket"
}

// StreamTrigger returns the stream job's trigger interval, valid once the config is.
func (c *Config) StreamTrigger() time.Duration {
	d, _ := time.ParseDuration(c.Stream.TriggerInterval)
	return d
}

// DAGRetryDelay returns the wait before a failing DAG task is tried again, valid once the config
// is; the schedule is checked by the scheduler, which parses it.
func (c *Config) DAGRetryDelay() time.Duration {
	d, _ := time.ParseDuration(c.DAG.RetryDelay)
	return d
}

// LakehouseDir is the folder the local Delta tables live in.
func (c *Config) LakehouseDir() string { return filepath.Join(c.DataDir, "lakehouse") }

func configHome(env func(string) (string, bool)) string {
	if v, ok := env("XDG_CONFIG_HOME"); ok && v != "" {
		return v
	}
	home, _ := env("HOME")
	return filepath.Join(home, ".config")
}

func dataHome(env func(string) (string, bool)) string {
	if v, ok := env("XDG_DATA_HOME"); ok && v != "" {
		return v
	}
	home, _ := env("HOME")
	return filepath.Join(home, ".local", "share")
}

package backend

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/pintui/pintui/config"
	"github.com/pintui/pintui/ops/internal/awsconf"
	"github.com/pintui/pintui/ops/kafka"
	"github.com/pintui/pintui/ops/local"
	"github.com/pintui/pintui/ops/s3"
	"github.com/pintui/pintui/pipeline/source"
)

// Check is the outcome of trying one endpoint or prerequisite of the selected profile.
type Check struct {
	Name string `json:"name"`
	// OK is false when the check failed; Detail then says what failed and Fix what to do.
	OK     bool   `json:"ok"`
	Detail string `json:"detail"`
	Fix    string `json:"fix,omitempty"`
}

// CheckConfig tries each endpoint the profile names, without starting anything, and says
// precisely what failed and what to do about it. Every detail and fix is masked, since clients
// and SDKs quote the URLs they were given, secrets and all.
func CheckConfig(ctx context.Context, cfg *config.Loaded) []Check {
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	checks := []Check{checkDataDir(cfg), checkSource(ctx, cfg)}
	if cfg.IsLocal() {
		checks = append(checks, checkLocalAddrs(cfg)...)
		if _, _, served := local.Serving(cfg.DataDir); !served {
			checks = append(checks, checkKafkaData(cfg))
		}
	} else {
		checks = append(checks, checkAWS(ctx, cfg), checkKafka(ctx, cfg), checkS3(ctx, cfg), checkGateway(ctx, cfg))
	}
	for i := range checks {
		checks[i].Detail, checks[i].Fix = config.MaskText(checks[i].Detail), config.MaskText(checks[i].Fix)
	}
	return checks
}

func checkDataDir(cfg *config.Loaded) Check {
	c := Check{Name: "data dir"}
	if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
		c.Detail, c.Fix = err.Error(), "choose a writable folder with --data-dir or data_dir in the config"
		return c
	}
	f, err := os.CreateTemp(cfg.DataDir, ".check-*")
	if err != nil {
		c.Detail, c.Fix = fmt.Sprintf("%s is not writable: %v", cfg.DataDir, err), "choose a writable folder with --data-dir"
		return c
	}
	f.Close()
	os.Remove(f.Name())
	c.OK, c.Detail = true, cfg.DataDir+" is writable"
	return c
}

func checkSource(ctx context.Context, cfg *config.Loaded) Check {
	c := Check{Name: "source"}
	src, err := source.Open(ctx, cfg.SourceURL())
	switch {
	case errors.Is(err, source.ErrNotSeeded):
		c.Detail, c.Fix = err.Error(), "run `pintui seed` (or `pintui seed --out "+config.Mask(cfg.SourceURL())+"`), or fix source.url"
		return c
	case errors.Is(err, source.ErrUnreachable):
		c.Detail, c.Fix = err.Error(), "start the database, or fix the host, port, user or password in source.url"
		return c
	case err != nil:
		c.Detail = err.Error()
		c.Fix = "fix source.url (a SQLite path, mysql://user:pass@host:3306/db or user:pass@tcp(host:3306)/db), or create its tables with `pintui seed --out " + config.Mask(cfg.SourceURL()) + "`"
		return c
	}
	defer src.Close()
	n, err := src.Count(ctx)
	if err != nil {
		c.Detail, c.Fix = err.Error(), "check the source database's tables; `pintui seed` recreates them"
		return c
	}
	c.OK, c.Detail = true, fmt.Sprintf("%d rows in %s", n, src.Name())
	return c
}

// hostPort is the host:port of an endpoint given as a URL (http://127.0.0.1:8082) or as is.
func hostPort(endpoint string) string {
	if u, err := url.Parse(endpoint); err == nil && u.Host != "" {
		return u.Host
	}
	return endpoint
}

// checkLocalAddrs checks each listener of the local stack is free. On a data dir a running
// pintui owns, the listeners are that owner's, so the check names them instead of trying the
// configured addresses.
func checkLocalAddrs(cfg *config.Loaded) []Check {
	pid, owner, served := local.Serving(cfg.DataDir)
	var out []Check
	for _, l := range []struct{ name, part, key, addr, served string }{
		{"kafka listener", "kafka", "local.kafka_addr", cfg.Local.KafkaAddr, owner.Kafka},
		{"s3 listener", "s3", "local.s3_addr", cfg.Local.S3Addr, owner.S3},
		{"gateway listener", "gateway", "local.gateway_addr", cfg.Local.GatewayAddr, owner.Gateway},
		{"kinesis listener", "kinesis", "local.kinesis_addr", cfg.Local.KinesisAddr, owner.Kinesis},
		{"scheduler listener", "scheduler", "local.airflow_addr", cfg.Local.AirflowAddr, owner.Airflow},
		{"workspace listener", "workspace", "local.workspace_addr", cfg.Local.WorkspaceAddr, owner.Workspace},
	} {
		c := Check{Name: l.name}
		if served && l.served != "" {
			c.OK, c.Detail = true, fmt.Sprintf("%s %s served by pintui pid %d", l.part, hostPort(l.served), pid)
			out = append(out, c)
			continue
		}
		if detail, fix := offLoopback(l.part, l.key, l.addr); detail != "" {
			c.Detail, c.Fix = detail, fix
			out = append(out, c)
			continue
		}
		ln, err := net.Listen("tcp", l.addr)
		if err != nil {
			c.Detail = fmt.Sprintf("%s is taken: %v", l.addr, err)
			c.Fix = fmt.Sprintf("stop what listens there, or set %s (port 0 picks a free one)", l.key)
			out = append(out, c)
			continue
		}
		ln.Close()
		c.OK, c.Detail = true, l.addr+" is free"
		out = append(out, c)
	}
	return out
}

// offLoopback says why serve would refuse addr, with what to set instead, or "" when it takes it:
// local mode listens on loopback only, and the embedded Kafka on 127.0.0.1 only.
func offLoopback(part, key, addr string) (detail, fix string) {
	host, _, err := net.SplitHostPort(addr)
	switch {
	case err != nil:
		return fmt.Sprintf("%s: %v", addr, err), fmt.Sprintf("set %s to host:port, e.g. 127.0.0.1:0 (port 0 picks a free one)", key)
	case part == "kafka" && host != "127.0.0.1" && host != "localhost":
		return addr + " is not 127.0.0.1: the embedded Kafka listens on 127.0.0.1 only",
			fmt.Sprintf("set %s to 127.0.0.1:PORT (port 0 picks a free one)", key)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return addr + " is not loopback: local mode listens on 127.0.0.1 only",
			fmt.Sprintf("set %s to a loopback address, e.g. 127.0.0.1:0 (port 0 picks a free one)", key)
	}
	return "", ""
}

// checkKafkaData reads the embedded Kafka's state files, which it cannot start on when one is
// damaged; the partitions' own files it checks itself as it loads them.
func checkKafkaData(cfg *config.Loaded) Check {
	c := Check{Name: "kafka data"}
	dir := filepath.Join(cfg.DataDir, "kafka")
	names, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		c.Detail = err.Error()
		return c
	}
	for _, name := range names {
		data, err := os.ReadFile(name)
		if err != nil {
			c.Detail, c.Fix = err.Error(), "make "+dir+" readable by this user"
			return c
		}
		var v any
		if err := json.Unmarshal(data, &v); err != nil {
			c.Detail = name + " is damaged: " + err.Error()
			c.Fix = "restore the file from a copy, or move " + dir + " away to start with empty topics (their records are lost; landed objects stay in s3/)"
			return c
		}
	}
	c.OK, c.Detail = true, fmt.Sprintf("%d state files in %s read", len(names), dir)
	if len(names) == 0 {
		c.Detail = "no Kafka state yet in " + dir
	}
	return c
}

func checkAWS(ctx context.Context, cfg *config.Loaded) Check {
	c := Check{Name: "aws credentials"}
	ac, err := awsconf.Load(ctx, "the credentials check", awsconf.Settings{Profile: cfg.AWS.Profile, Region: cfg.AWS.Region})
	if err != nil {
		c.Detail, c.Fix = err.Error(), "check aws.profile against ~/.aws/config"
		return c
	}
	creds, err := ac.Credentials.Retrieve(ctx)
	if err != nil {
		c.Detail = err.Error()
		c.Fix = "run `aws sso login --profile " + cfg.AWS.Profile + "` or set credentials for the SDK's standard chain"
		return c
	}
	c.OK, c.Detail = true, fmt.Sprintf("credentials from %s, region %s", creds.Source, ac.Region)
	return c
}

func checkKafka(ctx context.Context, cfg *config.Loaded) Check {
	c := Check{Name: "kafka"}
	if len(cfg.Kafka.Brokers) == 0 {
		c.Detail, c.Fix = "no brokers configured", "set kafka.brokers to the MSK bootstrap brokers (port 9098 for IAM)"
		return c
	}
	kc, err := kafka.New(ctx, kafka.Settings{Brokers: cfg.Kafka.Brokers, TLS: cfg.Kafka.TLS, SASL: cfg.Kafka.SASL,
		User: cfg.Kafka.Username, Password: cfg.Kafka.Password, AWSProfile: cfg.AWS.Profile, AWSRegion: cfg.AWS.Region})
	if err != nil {
		c.Detail, c.Fix = err.Error(), "check kafka.sasl and the credentials it needs"
		return c
	}
	defer kc.Close()
	topics, err := kc.Topics(ctx)
	if err != nil {
		c.Detail = fmt.Sprintf("%s: %v", strings.Join(cfg.Kafka.Brokers, ","), err)
		c.Fix = "check the brokers are reachable from here (security groups, VPN) and that kafka.tls and kafka.sasl match the port"
		return c
	}
	c.OK, c.Detail = true, fmt.Sprintf("%d topics at %s", len(topics), strings.Join(cfg.Kafka.Brokers, ","))
	return c
}

func checkS3(ctx context.Context, cfg *config.Loaded) Check {
	c := Check{Name: "s3"}
	sc, err := s3.New(ctx, s3.Settings{Endpoint: cfg.S3.Endpoint, Region: cfg.AWS.Region, Profile: cfg.AWS.Profile})
	if err != nil {
		c.Detail, c.Fix = err.Error(), "check aws.profile and aws.region"
		return c
	}
	if _, err := sc.Ls(ctx, cfg.Bucket(), "topics/", false, 1); err != nil {
		c.Detail = fmt.Sprintf("list s3://%s/topics/: %v", cfg.Bucket(), err)
		c.Fix = "check s3.bucket and that the AWS identity may s3:ListBucket on it"
		return c
	}
	c.OK, c.Detail = true, "s3://"+cfg.Bucket()+" is readable"
	return c
}

func checkGateway(ctx context.Context, cfg *config.Loaded) Check {
	c := Check{Name: "gateway"}
	if cfg.Gateway.InvokeURL == "" {
		c.Detail, c.Fix = "no invoke URL configured", "set gateway.invoke_url to the API Gateway stage URL, e.g. https://<id>.execute-api.<region>.amazonaws.com/dev"
		return c
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(cfg.Gateway.InvokeURL, "/")+"/topics", nil)
	if err != nil {
		c.Detail, c.Fix = err.Error(), "fix gateway.invoke_url"
		return c
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.Detail = err.Error()
		if errors.Is(err, context.DeadlineExceeded) {
			c.Detail = "no answer within 20s"
		}
		c.Fix = "check the invoke URL and that the API is deployed to that stage"
		return c
	}
	resp.Body.Close()
	if resp.StatusCode >= 500 {
		c.Detail = fmt.Sprintf("GET /topics answered %s", resp.Status)
		c.Fix = "the API Gateway answers but its REST Proxy integration does not: check the EC2 client's kafka-rest service"
		return c
	}
	c.OK, c.Detail = true, fmt.Sprintf("GET /topics answered %s", resp.Status)
	return c
}

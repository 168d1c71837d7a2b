package awsconf

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

func TestAnUnknownProfileSaysWhichServiceAndWhatToDo(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	_, err := Load(context.Background(), "MWAA", Settings{Profile: "nosuch", Region: "us-east-1"})
	if err == nil || !strings.HasPrefix(err.Error(), `load AWS config for MWAA (profile "nosuch"): `) || !strings.HasSuffix(err.Error(), ": check the profile, or run aws sso login") {
		t.Fatalf("err %v", err)
	}
}

func TestStaticKeysAreTheCredentials(t *testing.T) {
	cfg, err := Load(context.Background(), "S3", Settings{Region: "us-east-1", AccessKey: "AKID", SecretKey: "secret"})
	if err != nil {
		t.Fatal(err)
	}
	creds, err := cfg.Credentials.Retrieve(context.Background())
	if err != nil || creds.AccessKeyID != "AKID" || creds.SecretAccessKey != "secret" || cfg.Region != "us-east-1" {
		t.Fatalf("creds %+v, region %q, err %v", creds, cfg.Region, err)
	}
}

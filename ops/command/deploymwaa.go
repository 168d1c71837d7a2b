package command

import (
	"context"
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/mwaa"
	"github.com/aws/smithy-go"

	"github.com/pintui/pintui/ops/internal/awsconf"
	"github.com/pintui/pintui/pipeline/dag"
)

// environmentGetter is the MWAA control-plane call deploy makes (mwaa.Client's GetEnvironment).
type environmentGetter interface {
	GetEnvironment(ctx context.Context, in *mwaa.GetEnvironmentInput, opts ...func(*mwaa.Options)) (*mwaa.GetEnvironmentOutput, error)
}

// s3Folder is an S3 bucket and a key prefix ("" or ending in /).
type s3Folder struct {
	bucket, prefix string
}

func (f s3Folder) key(name string) string { return f.prefix + name }

func (f s3Folder) url(name string) string { return "s3://" + f.bucket + "/" + f.key(name) }

// parseS3Folder reads s3://bucket/prefix, the form of airflow.dag_folder.
func parseS3Folder(s string) (s3Folder, error) {
	rest, ok := strings.CutPrefix(s, "s3://")
	bucket, prefix, _ := strings.Cut(rest, "/")
	if !ok || bucket == "" {
		return s3Folder{}, fmt.Errorf("airflow.dag_folder %q is not an S3 folder: use s3://bucket/dags", s)
	}
	if prefix = strings.Trim(prefix, "/"); prefix != "" {
		prefix += "/"
	}
	return s3Folder{bucket: bucket, prefix: prefix}, nil
}

// dagFolder is where the DAG file goes in a cloud profile: airflow.dag_folder, else the folder
// the MWAA environment reads its DAGs from, SourceBucketArn + DagS3Path.
func (env *Env) dagFolder(ctx context.Context, clients deployClients) (s3Folder, error) {
	cfg := env.Config
	if cfg.Airflow.DAGFolder != "" {
		return parseS3Folder(cfg.Airflow.DAGFolder)
	}
	if cfg.Airflow.Environment == "" {
		return s3Folder{}, fmt.Errorf("profile %s has neither airflow.dag_folder nor airflow.environment: set airflow.environment to the MWAA environment, or airflow.dag_folder to s3://bucket/dags", cfg.Profile)
	}
	api, err := clients.mwaa(ctx)
	if err != nil {
		return s3Folder{}, err
	}
	out, err := api.GetEnvironment(ctx, &mwaa.GetEnvironmentInput{Name: aws.String(cfg.Airflow.Environment)})
	if err != nil {
		return s3Folder{}, env.mwaaRefused(err)
	}
	e := out.Environment
	if e == nil {
		return s3Folder{}, fmt.Errorf("MWAA environment %s came back empty: try again, or set airflow.dag_folder to s3://bucket/dags", cfg.Airflow.Environment)
	}
	arn := aws.ToString(e.SourceBucketArn)
	bucket, ok := strings.CutPrefix(arn, "arn:aws:s3:::")
	if !ok {
		// Other partitions (aws-cn, aws-us-gov) name the bucket after the same ":::".
		_, bucket, ok = strings.Cut(arn, ":::")
	}
	if !ok || bucket == "" || aws.ToString(e.DagS3Path) == "" {
		return s3Folder{}, fmt.Errorf("MWAA environment %s names no DAG folder (source bucket %q, DAG path %q): set airflow.dag_folder to s3://bucket/dags", cfg.Airflow.Environment, arn, aws.ToString(e.DagS3Path))
	}
	return parseS3Folder("s3://" + path.Join(bucket, aws.ToString(e.DagS3Path)))
}

// mwaaRefused says what to do about an error of the MWAA control plane.
func (env *Env) mwaaRefused(err error) error {
	cfg := env.Config
	login := "run aws sso login"
	if cfg.AWS.Profile != "" {
		login += " --profile " + cfg.AWS.Profile
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return fmt.Errorf("get MWAA environment %s: %w: check the AWS credentials (%s) and aws.region", cfg.Airflow.Environment, err, login)
	}
	switch ae.ErrorCode() {
	case "ResourceNotFoundException":
		return fmt.Errorf("there is no MWAA environment %s in %s (%s): check airflow.environment and aws.region", cfg.Airflow.Environment, cfg.AWS.Region, ae.ErrorMessage())
	case "AccessDeniedException":
		return fmt.Errorf("get MWAA environment %s: AWS refused it (%s): give the IAM identity the airflow:GetEnvironment permission, or set airflow.dag_folder to s3://bucket/dags", cfg.Airflow.Environment, ae.ErrorMessage())
	case "ExpiredTokenException", "UnrecognizedClientException", "InvalidSignatureException":
		return fmt.Errorf("get MWAA environment %s: the AWS credentials were refused (%s): %s", cfg.Airflow.Environment, ae.ErrorCode(), login)
	}
	return fmt.Errorf("get MWAA environment %s: %w", cfg.Airflow.Environment, err)
}

// mwaaClient builds the MWAA control-plane client from the profile's AWS settings.
func (env *Env) mwaaClient(ctx context.Context) (environmentGetter, error) {
	cfg := env.Config
	awsCfg, err := awsconf.Load(ctx, "MWAA", awsconf.Settings{Profile: cfg.AWS.Profile, Region: cfg.AWS.Region})
	if err != nil {
		return nil, err
	}
	return mwaa.NewFromConfig(awsCfg), nil
}

// putDAG uploads the DAG file to the DAG folder; MWAA picks it up on its next parse.
func (env *Env) putDAG(ctx context.Context, folder s3Folder, data []byte) error {
	name := dag.FileName(env.Config.UID)
	if env.Backends == nil || env.Backends.S3 == nil {
		return fmt.Errorf("upload %s: no S3 client: check the profile's aws settings", folder.url(name))
	}
	if err := env.Backends.S3.Store(folder.bucket, folder.prefix).Put(ctx, name, data); err != nil {
		return fmt.Errorf("upload the DAG file: %w: check that the AWS credentials may write to s3://%s/%s", err, folder.bucket, folder.prefix)
	}
	return nil
}

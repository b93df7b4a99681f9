#!/usr/bin/python3
"""Submit a bias-removal job to the UnlearnDashboard compute server, stream its progress and print the result.

This is an example client for ML engineers. It needs Debian's python3-grpcio and python3-protobuf, and
Python stubs generated from the repository's protos/ folder with Debian's protobuf-compiler and
protobuf-compiler-grpc (see README.md beside this file):

    ./generate_stubs.sh /tmp/unlearn-stubs
    export UNLEARN_API_KEY=...   # an engineer's key, for example from the server's credentials.json
    /usr/bin/python3 debias_example.py --stubs /tmp/unlearn-stubs --server 127.0.0.1:5001 \
        --dataset adult --sensitive sex --method influence-newton --remove-fraction 0.05

Against a server that serves TLS (Tls:CertificatePath), add --ca-certificate CA.pem, or --tls when a
system CA signed its certificate.

It prints the job id, one line per progress event, then the test-split metrics before and after in
the same layout and precision as `unlearn jobs get JOB_ID`. It exits 0 when the job succeeded, 1 when
the job failed or was cancelled, and 2 when the server rejected the request.
"""

import argparse
import os
import sys

METHODS = {
    "influence-newton": "DEBIAS_METHOD_INFLUENCE_NEWTON",
    "counterfactual-replacement": "DEBIAS_METHOD_COUNTERFACTUAL_REPLACEMENT",
    "gradient-ascent": "DEBIAS_METHOD_GRADIENT_ASCENT",
    "saliency-masked": "DEBIAS_METHOD_SALIENCY_MASKED",
    "counterfactual-fine-tune": "DEBIAS_METHOD_COUNTERFACTUAL_FINE_TUNE",
    "data-free": "DEBIAS_METHOD_DATA_FREE",
}

# (label, FairnessReport field), in the order the CLI prints them.
METRICS = [
    ("accuracy", "accuracy"),
    ("demographic parity difference", "demographic_parity_difference"),
    ("equalized odds difference", "equalized_odds_difference"),
    ("equal opportunity difference", "equal_opportunity_difference"),
    ("disparate impact ratio", "disparate_impact_ratio"),
]


def parse_args():
    parser = argparse.ArgumentParser(description="Submit a bias-removal job and print its result.")
    parser.add_argument("--stubs", required=True, help="folder with the stubs that generate_stubs.sh wrote")
    parser.add_argument("--server", default="127.0.0.1:5001",
                        help="HOST:PORT of the compute server (plain HTTP/2 unless --tls or --ca-certificate is given)")
    parser.add_argument("--tls", action="store_true", help="connect with TLS, trusting the system's CAs")
    parser.add_argument("--ca-certificate", default=os.environ.get("UNLEARN_CA_CERTIFICATE", ""),
                        help="connect with TLS, trusting the CA certificates (or the server's self-signed certificate) "
                             "in this PEM file instead of the system's (default: $UNLEARN_CA_CERTIFICATE)")
    parser.add_argument("--api-key", default=os.environ.get("UNLEARN_API_KEY", ""),
                        help="API key of a user with the engineer role (default: $UNLEARN_API_KEY)")
    parser.add_argument("--dataset", default="adult", help="dataset id or name")
    parser.add_argument("--sensitive", default="sex", help="sensitive attribute; must be the dataset's sensitive column")
    parser.add_argument("--model-version", default="", help="version to debias (default: the dataset's default version)")
    parser.add_argument("--method", choices=sorted(METHODS), help="unlearning method (default: the server's)")
    parser.add_argument("--remove-fraction", type=float, help="share of training samples to remove, in (0, 0.5]")
    return parser.parse_args()


def metric(report, field):
    """Format a metric as the CLI does: 4 decimals, or n/a when the server left it unset (undefined)."""
    return f"{getattr(report, field):.4f}" if report.HasField(field) else "n/a"


def print_result(result):
    reports = [("before", result.before), ("after", result.after)]
    if result.HasField("retrain"):
        reports.append(("retrain", result.retrain))
    rows = [["metric (test split)"] + [name for name, _ in reports]]
    for label, field in METRICS:
        rows.append([label] + [metric(report, field) for _, report in reports])
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        cells = [row[0].ljust(widths[0])] + [cell.rjust(widths[i + 1]) for i, cell in enumerate(row[1:])]
        print("  ".join(cells).rstrip())
    print()
    print(f"removed samples:  {result.removed_sample_count}")
    print(f"base version:     {result.base_version_id or '-'}")
    print(f"new version:      {result.new_version_id or '-'}")


def open_channel(grpc, args):
    """Open a TLS channel when --tls or --ca-certificate is given, else a plain HTTP/2 channel."""
    if not args.tls and not args.ca_certificate:
        return grpc.insecure_channel(args.server)
    root_certificates = None
    if args.ca_certificate:
        with open(args.ca_certificate, "rb") as file:
            root_certificates = file.read()
    return grpc.secure_channel(args.server, grpc.ssl_channel_credentials(root_certificates=root_certificates))


def main():
    args = parse_args()
    if not args.api_key:
        print("error: no API key; pass --api-key or set UNLEARN_API_KEY. The server's first start writes one key per role "
              "to credentials.json in its data folder.", file=sys.stderr)
        return 2
    if args.ca_certificate and not os.path.isfile(args.ca_certificate):
        print(f"error: --ca-certificate '{args.ca_certificate}' does not exist; pass the PEM file of the CA that signed the "
              "server's certificate, or the server's own certificate.", file=sys.stderr)
        return 2
    # gRPC metadata keys are lowercase; the server expects "authorization: Bearer <key>" on every call.
    metadata = [("authorization", f"Bearer {args.api_key}")]
    sys.path.insert(0, args.stubs)
    import grpc
    from unlearn.v1 import jobs_pb2, jobs_pb2_grpc

    request = jobs_pb2.DebiasRequest(
        dataset=args.dataset,
        model_version_id=args.model_version,
        sensitive_attribute=args.sensitive,
    )
    if args.method:
        request.method = jobs_pb2.DebiasMethod.Value(METHODS[args.method])
    if args.remove_fraction is not None:
        request.remove_fraction = args.remove_fraction

    with open_channel(grpc, args) as channel:
        jobs = jobs_pb2_grpc.JobServiceStub(channel)
        try:
            job = jobs.SubmitDebias(request, metadata=metadata)
        except grpc.RpcError as error:
            print(f"error: the server rejected the request ({error.code().name}): {error.details()}", file=sys.stderr)
            return 2
        print(f"job: {job.id}", flush=True)

        try:
            for event in jobs.WatchJob(jobs_pb2.WatchJobRequest(job_id=job.id), metadata=metadata):
                kind = event.WhichOneof("event")
                if kind == "progress":
                    progress = event.progress
                    print(f"[{progress.fraction:4.0%}] {progress.phase}: {progress.message}", flush=True)
                elif kind == "result":
                    print()
                    print_result(event.result.debias)
                    return 0
                elif kind == "ended":
                    state = jobs_pb2.JobState.Name(event.ended.state)
                    print(f"error: job {job.id} ended as {state}: {event.ended.message}", file=sys.stderr)
                    return 1
        except grpc.RpcError as error:
            # The job keeps running on the server; `unlearn jobs watch JOB_ID` picks the stream up again.
            print(f"error: watching job {job.id} failed ({error.code().name}): {error.details()}", file=sys.stderr)
            return 1
    print(f"error: the event stream of job {job.id} closed before the job ended", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())

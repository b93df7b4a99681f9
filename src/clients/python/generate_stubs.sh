#!/bin/sh
# Generates the Python message and gRPC stubs of protos/unlearn/v1 into the folder given as $1, with
# Debian's protoc (protobuf-compiler) and grpc_python_plugin (protobuf-compiler-grpc). The stubs import
# each other as unlearn.v1.*_pb2, so put the folder on sys.path (debias_example.py --stubs does).
set -eu
out=${1:?usage: generate_stubs.sh OUTPUT_FOLDER}
protos=$(cd "$(dirname "$0")/../../../protos" && pwd)
mkdir -p "$out"
protoc -I "$protos" --python_out="$out" --grpc_out="$out" \
  --plugin=protoc-gen-grpc="$(command -v grpc_python_plugin)" \
  "$protos"/unlearn/v1/*.proto

"""Validates deploy/kubernetes/*.yaml against the Kubernetes OpenAPI schema (as JSON schema, shipped by the
kubernetes-validate package, checked with jsonschema; strict: unknown keys are errors), then checks what the
README promises of the dqmon CronJob: concurrencyPolicy Forbid and the history on a PersistentVolumeClaim.

Usage: validate_kubernetes.py FILE [KUBERNETES_VERSION]. Prints one line per problem; exit 1 if any.
"""
import sys

import kubernetes_validate
import yaml


def main() -> int:
    path = sys.argv[1]
    version = sys.argv[2] if len(sys.argv) > 2 else kubernetes_validate.utils.latest_version()
    problems = []
    with open(path) as handle:
        documents = [d for d in yaml.safe_load_all(handle) if d]
    for document in documents:
        try:
            kubernetes_validate.validate(document, version, strict=True)
        except kubernetes_validate.ValidationError as error:
            problems.append(f"{document.get('kind')}/{document['metadata']['name']}: {'/'.join(map(str, error.path))}: {error.message}")
    claims = {d["metadata"]["name"] for d in documents if d.get("kind") == "PersistentVolumeClaim"}
    for job in (d for d in documents if d.get("kind") == "CronJob"):
        spec = job["spec"]
        if spec.get("concurrencyPolicy") != "Forbid":
            problems.append("CronJob: concurrencyPolicy is not Forbid")
        pod = spec["jobTemplate"]["spec"]["template"]["spec"]
        volumes = {v["name"]: v for v in pod.get("volumes", [])}
        mounts = [m for c in pod["containers"] for m in c.get("volumeMounts", []) if m["mountPath"].endswith("/.dqmon")]
        if not mounts:
            problems.append("CronJob: nothing is mounted at the history folder (.dqmon)")
        for mount in mounts:
            claim = volumes.get(mount["name"], {}).get("persistentVolumeClaim", {}).get("claimName")
            if claim not in claims:
                problems.append(f"CronJob: the history mount '{mount['name']}' is not a PersistentVolumeClaim defined here")
    for problem in problems:
        print(problem)
    print(f"validated {len(documents)} resource(s) against Kubernetes {version}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

"""The emulator process: moto's server on a free loopback port, with the calls it lacks added.

Run by `rehearsal.emulator` as `python -m rehearsal._moto_server`; prints `port N` once it
listens and serves until its standard input closes (the rehearsal ended, or died).
"""

from __future__ import annotations

import json
import os
import sys
import threading
from collections.abc import Callable
from typing import Any

# Before moto is imported: the AWS-managed IAM policies (AmazonECSTaskExecutionRolePolicy...).
os.environ["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "true"
# ACM issues a DNS-validated certificate this many seconds after the request (AWS: once it
# finds the records); 0 so that aws_acm_certificate_validation does not wait a minute.
os.environ["MOTO_ACM_VALIDATION_WAIT"] = "0"

from moto.applicationautoscaling.exceptions import AWSValidationException
from moto.applicationautoscaling.responses import ApplicationAutoScalingResponse
from moto.core.exceptions import JsonRESTError
from moto.ecs.responses import EC2ContainerServiceResponse
from moto.moto_server import threaded_moto_server
from moto.server import ThreadedMotoServer

_TAGS: dict[str, dict[str, str]] = {}
_TAGS_LOCK = threading.Lock()


# moto has no tagging in Application Auto Scaling; the provider tags and reads the tags of every
# scalable target and retries the emulator's 500 for minutes. Tags are kept per ARN, as AWS does.
def _list_tags_for_resource(self: ApplicationAutoScalingResponse) -> str:
    with _TAGS_LOCK:
        return json.dumps({"Tags": dict(_TAGS.get(self._get_param("ResourceARN"), {}))})


def _tag_resource(self: ApplicationAutoScalingResponse) -> str:
    with _TAGS_LOCK:
        _TAGS.setdefault(self._get_param("ResourceARN"), {}).update(self._get_param("Tags") or {})
    return "{}"


def _untag_resource(self: ApplicationAutoScalingResponse) -> str:
    with _TAGS_LOCK:
        tags = _TAGS.get(self._get_param("ResourceARN"), {})
        for key in self._get_param("TagKeys") or []:
            tags.pop(key, None)
    return "{}"


_register_scalable_target = ApplicationAutoScalingResponse.register_scalable_target


def _register_keeping_tags(self: ApplicationAutoScalingResponse) -> str:
    """RegisterScalableTarget's `Tags` (the provider's default tags go there) are dropped by moto."""
    answer = _register_scalable_target(self)
    tags = self._get_param("Tags")
    if tags:
        with _TAGS_LOCK:
            _TAGS.setdefault(json.loads(answer)["ScalableTargetARN"], {}).update(tags)
    return answer


ApplicationAutoScalingResponse.register_scalable_target = _register_keeping_tags  # type: ignore[method-assign]

for _name, _call in (
    ("list_tags_for_resource", _list_tags_for_resource),
    ("tag_resource", _tag_resource),
    ("untag_resource", _untag_resource),
):
    if not hasattr(ApplicationAutoScalingResponse, _name):
        setattr(ApplicationAutoScalingResponse, _name, _call)


_create_service = EC2ContainerServiceResponse.create_service


def _create_service_keeping_strategy(self: EC2ContainerServiceResponse) -> Any:
    """CreateService drops `capacityProviderStrategy` and reports launch type EC2; AWS keeps the
    strategy and reports no launch type (UpdateService already keeps what it is sent)."""
    answer = _create_service(self)
    strategy = self._get_param("capacityProviderStrategy")
    if strategy:
        # The backend's public DescribeServices finds it by cluster name or ARN, as AWS does.
        (service,), _ = self.ecs_backend.describe_services(
            self._get_param("cluster", "default"), [self._get_param("serviceName")]
        )
        service.capacity_provider_strategy = strategy  # type: ignore[attr-defined]  # moto's Service lacks it
        service.launch_type = None
    return answer


EC2ContainerServiceResponse.create_service = _create_service_keeping_strategy  # type: ignore[method-assign]


class _ObjectNotFound(JsonRESTError):
    def __init__(self, message: str) -> None:
        super().__init__("ObjectNotFoundException", message)


def _gone_as_in_aws(call: Callable[[ApplicationAutoScalingResponse], str], gone: str) -> Callable[..., str]:
    """A delete of what is gone answered as AWS answers it: ObjectNotFoundException, which the
    provider takes as deleted. moto answers ValidationException, which fails the destroy; a full
    CI run under load met one (a DeleteScalingPolicy that found nothing, 29 resources left over),
    never alone, as a repeated request would. The leftover check still proves the emulator empty."""

    def answer(self: ApplicationAutoScalingResponse) -> str:
        try:
            return call(self)
        except AWSValidationException as error:
            if error.message.startswith(gone):
                raise _ObjectNotFound(error.message) from None
            raise

    return answer


ApplicationAutoScalingResponse.delete_scaling_policy = _gone_as_in_aws(  # type: ignore[method-assign]
    ApplicationAutoScalingResponse.delete_scaling_policy, "No scaling policy found"
)
ApplicationAutoScalingResponse.deregister_scalable_target = _gone_as_in_aws(  # type: ignore[method-assign]
    ApplicationAutoScalingResponse.deregister_scalable_target, "No scalable target found"
)


class _OneRequestAtATime(threaded_moto_server.DomainDispatcherApplication):
    """moto's backends are plain dicts and lists, not thread-safe, and its server answers each
    request in a thread of its own; the provider sends up to ten at once (-parallelism). Under load
    the full rehearsal met a DeregisterScalableTarget answered "No scalable target found" at
    destroy and a resource left over, never alone: the emulator answers one request at a time
    (each takes milliseconds), as the state it keeps is consistent only so."""

    _lock = threading.Lock()

    def __call__(self, environ: Any, start_response: Any) -> Any:
        with self._lock:
            return list(super().__call__(environ, start_response))


threaded_moto_server.DomainDispatcherApplication = _OneRequestAtATime  # type: ignore[misc]


def main() -> None:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    print(f"port {server.get_host_and_port()[1]}", flush=True)
    sys.stdin.read()  # until the rehearsal closes our standard input
    server.stop()


if __name__ == "__main__":
    main()

"""Compose the helpers: a network, then a web service in it."""

import pulumi
from infra.network import build_network
from infra.web import web_service

config = pulumi.Config()
network = build_network("main", config.require("cidr"))
alb = web_service("web", network, config.require_int("containerPort"))

pulumi.export("url", alb.dns_name.apply(lambda name: f"http://{name}"))

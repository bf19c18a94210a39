#!/usr/bin/env bash
# Checks the Swift sources against the committed .swift-format configuration (4 spaces, 120 columns).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
swift format lint --strict --recursive Sources Tests bench/kernels Package.swift

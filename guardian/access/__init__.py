"""The right of access and portability: collect one subject's data, package it."""

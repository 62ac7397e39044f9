"""OPC UA devices: node models (Machinery building blocks), security, users, the client connection and the drivers."""

"""OPC UA devices: node models (Machinery building blocks), security, users, PTL and printer drivers."""

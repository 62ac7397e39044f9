"""The service's own OPC UA server for SCADA and MES: the line model and the server."""

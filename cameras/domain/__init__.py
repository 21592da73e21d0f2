"""Pure rules of the command-centre wall and the public camera page (no Django, no camera)."""

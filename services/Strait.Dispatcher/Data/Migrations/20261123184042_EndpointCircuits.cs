using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Strait.Dispatcher.Data.Migrations
{
    /// <inheritdoc />
    public partial class EndpointCircuits : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "endpoint_circuits",
                schema: "dispatch",
                columns: table => new
                {
                    project_id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    endpoint_url = table.Column<string>(type: "character varying(2048)", maxLength: 2048, nullable: false),
                    consecutive_failures = table.Column<int>(type: "integer", nullable: false),
                    opened_until = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_endpoint_circuits", x => new { x.project_id, x.endpoint_url });
                });

            migrationBuilder.CreateIndex(
                name: "ix_endpoint_circuits_opened_until",
                schema: "dispatch",
                table: "endpoint_circuits",
                column: "opened_until");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "endpoint_circuits",
                schema: "dispatch");
        }
    }
}

using System;
using System.Text.Json;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Strait.SdkIngest.Data.Migrations
{
    /// <inheritdoc />
    public partial class JobMemory : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "job_memory",
                schema: "ingest",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    job_id = table.Column<Guid>(type: "uuid", nullable: false),
                    project_id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    memory_key = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    value = table.Column<JsonDocument>(type: "jsonb", nullable: false),
                    size_bytes = table.Column<int>(type: "integer", nullable: false),
                    ttl_expires_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_job_memory", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_job_memory_job_id_memory_key",
                schema: "ingest",
                table: "job_memory",
                columns: new[] { "job_id", "memory_key" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "job_memory",
                schema: "ingest");
        }
    }
}
